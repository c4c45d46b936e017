// UploadReceiver: the fields of an upload kept as text, its data spooled to an unnamed file (never
// under the uploaded name), capped, compressed bodies refused; table names from file names.
#include "web/upload_receiver.h"

#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

namespace almanac::web {
namespace {

std::string Multipart(const std::string& file_name, const std::string& data,
                      const std::string& table = "") {
  std::string body;
  if (!table.empty()) {
    body += "--b\r\nContent-Disposition: form-data; name=\"table\"\r\n\r\n" + table + "\r\n";
  }
  body += "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + file_name +
          "\"\r\n\r\n" + data + "\r\n--b--\r\n";
  return body;
}

Status Receive(UploadReceiver& receiver, const std::string& body) {
  http::MultipartParser parser("b", receiver);
  Status status = parser.Feed(body);
  if (!status.ok()) return status;
  return parser.Finish();
}

std::string ReadAll(int fd) {
  std::string out(4096, '\0');
  ssize_t n = pread(fd, out.data(), out.size(), 0);
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

TEST(UploadReceiverTest, KeepsFieldsAndSpoolsDataToAnUnnamedFile) {
  std::filesystem::path dir = testing::TempDir() + "/upload_receiver";
  std::filesystem::create_directories(dir);
  size_t files_before = std::distance(std::filesystem::directory_iterator(dir), {});
  UploadReceiver receiver(dir.string(), 1 << 20);
  ASSERT_TRUE(Receive(receiver, Multipart("../../etc/passwd.csv", "a,b\n1,2\n", "t")).ok());
  EXPECT_EQ(receiver.table(), "t");
  EXPECT_EQ(receiver.filename(), "../../etc/passwd.csv");
  EXPECT_EQ(receiver.bytes(), 8u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}),
            static_cast<std::ptrdiff_t>(files_before));
  int fd = receiver.ReleaseData();
  ASSERT_GE(fd, 0);
  EXPECT_EQ(ReadAll(fd), "a,b\n1,2\n");
  close(fd);
}

TEST(UploadReceiverTest, RefusesTooLargeCompressedAndDoubleData) {
  UploadReceiver small("/tmp", 4);
  EXPECT_EQ(Receive(small, Multipart("x.csv", "a\n1\n2\n")).code(), ErrorCode::kTooLarge);
  UploadReceiver gz("/tmp", 1 << 20);
  EXPECT_EQ(Receive(gz, Multipart("x.csv", std::string("\x1f\x8b\x08\x00\x00\x00", 6))).message(),
            "The upload is gzip-compressed: compressed files are not expanded; upload the CSV, "
            "TSV or JSON itself");
  UploadReceiver zip("/tmp", 1 << 20);
  EXPECT_FALSE(Receive(zip, Multipart("x.zip", "PK\x03\x04")).ok());
  UploadReceiver both("/tmp", 1 << 20);
  std::string body = "--b\r\nContent-Disposition: form-data; name=\"paste\"\r\n\r\na\n1\n\r\n" +
                     Multipart("x.csv", "a\n2\n");
  EXPECT_EQ(Receive(both, body).message(), "Upload a file or paste data, not both");
}

TEST(UploadReceiverTest, TableNamesFromFileNames) {
  EXPECT_EQ(TableNameFromFilename("dogs.csv"), "dogs");
  EXPECT_EQ(TableNameFromFilename("../../x/data.csv"), "data");
  EXPECT_EQ(TableNameFromFilename("C:\\Users\\me\\sales 2024.tsv"), "sales 2024");
  EXPECT_EQ(TableNameFromFilename("/abs/path/.hidden"), ".hidden");
  EXPECT_EQ(TableNameFromFilename("a\tb\x01.json"), "ab");
  EXPECT_EQ(TableNameFromFilename(".."), "");
  EXPECT_EQ(TableNameFromFilename("../"), "");
  EXPECT_EQ(TableNameFromFilename(""), "");
}

}  // namespace
}  // namespace almanac::web
