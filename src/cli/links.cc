#include "cli/links.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "cli/cli_util.h"
#include "config/config.h"
#include "config/document.h"
#include "db/database.h"
#include "links/link_index.h"
#include "links/link_store.h"

namespace almanac::cli {
namespace {

struct LinksFlags {
  std::string database;
  std::string config;
  CLI::App* rebuild = nullptr;
  CLI::App* verify = nullptr;
};

LinksFlags& Flags() {
  static LinksFlags flags;
  return flags;
}

Result<links::LinkOptions> Options(const std::string& db_name) {
  const LinksFlags& flags = Flags();
  if (flags.config.empty()) return links::LinkOptions{};
  ALM_ASSIGN_OR_RETURN(format::JsonValue doc, config::LoadDocument(flags.config));
  config::Config config =
      config::Config::FromDocuments(std::move(doc), format::JsonValue::MakeObject());
  ALM_ASSIGN_OR_RETURN(std::optional<links::LinkOptions> options,
                       links::ParseLinkOptions(config.DatabaseConfig(db_name)));
  return options.value_or(links::LinkOptions{});
}

// The links the index holds (the sum of its counters).
Result<int64_t> CountIndexed(const std::string& db_path, const std::string& side_path) {
  ALM_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, OpenDatabaseReadOnly(db_path));
  ALM_RETURN_IF_ERROR(links::AttachSide(*conn, side_path));
  ALM_ASSIGN_OR_RETURN(
      db::Statement sum,
      conn->Prepare({"SELECT coalesce(sum(n), 0) FROM almanac_links._almanac_link_counts", {}}));
  ALM_ASSIGN_OR_RETURN(bool row, sum.Step());
  return row ? sum.ColumnInt(0) : int64_t{0};
}

}  // namespace

CLI::App* AddLinksCommand(CLI::App& app) {
  LinksFlags& flags = Flags();
  CLI::App* group = app.add_subcommand("links", "The backlinks index of a database");
  group->set_help_flag("--help", "Show this message and exit");
  group->require_subcommand(1);
  flags.rebuild = group->add_subcommand("rebuild", "Build the index from scratch");
  flags.verify =
      group->add_subcommand("verify", "Recount the links and compare (exit 1 on a difference)");
  for (CLI::App* cmd : {flags.rebuild, flags.verify}) {
    cmd->set_help_flag("--help", "Show this message and exit");
    cmd->add_option("database", flags.database, "SQLite database file")->required();
    cmd->add_option("-c,--config", flags.config, "Config file with databases.<name>.links");
  }
  return group;
}

int RunLinks() {
  LinksFlags& flags = Flags();
  if (!flags.rebuild->parsed() && !flags.verify->parsed()) return -1;
  if (!std::filesystem::exists(flags.database)) {
    return Fail("Database file not found: " + flags.database);
  }
  std::string name = std::filesystem::path(flags.database).stem().string();
  Result<links::LinkOptions> options = Options(name);
  if (!options.ok()) return Fail(options.status());
  if (flags.rebuild->parsed()) {
    db::DatabaseOptions db_options;
    db_options.name = name;
    db_options.path = flags.database;
    Result<std::unique_ptr<db::Database>> db = db::Database::Open(db_options);
    if (!db.ok()) return Fail(db.status());
    auto start = std::chrono::steady_clock::now();
    // The index opened as a server opens it, told to build everything again; then one merge
    // does it (in the side file) and this waits for it.
    Result<std::unique_ptr<links::LinkIndex>> index =
        links::LinkIndex::Open(**db, *options, /*rebuild=*/true);
    if (!index.ok()) return Fail(index.status());
    if (Status merged = (*index)->MergeNow(); !merged.ok()) return Fail(merged);
    std::string side_path = (*index)->side_path();
    index->reset();
    Result<int64_t> total = CountIndexed(flags.database, side_path);
    if (!total.ok()) return Fail(total.status());
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%s links indexed in %.2f s\n", WithCommas(*total).c_str(), seconds);
    return 0;
  }
  Result<std::unique_ptr<db::Connection>> conn = OpenDatabaseReadOnly(flags.database);
  if (!conn.ok()) return Fail(conn.status());
  Result<std::shared_ptr<const db::Schema>> schema = db::Schema::Load(**conn, 0);
  if (!schema.ok()) return Fail(schema.status());
  // The index is in the side file; files of an earlier layout, not served since, hold it
  // themselves.
  bool in_file = false;
  for (const db::TableInfo& table : (*schema)->tables())
    in_file = in_file || table.name == "_almanac_links";
  if (!in_file) {
    std::string side_path = links::SidePath(flags.database);
    if (!std::filesystem::exists(side_path)) {
      return Fail("No links index for " + flags.database + " (" + side_path +
                  " is missing): serve the database with links on, or run almanac links "
                  "rebuild");
    }
    if (Status attached = links::AttachSide(**conn, side_path); !attached.ok()) {
      return Fail(attached);
    }
  }
  Result<links::VerifyReport> report = links::Verify(**conn, **schema, *options);
  if (!report.ok()) return Fail(report.status());
  for (const std::string& example : report->examples) std::printf("%s\n", example.c_str());
  if (report->rebuilds_pending > 0) {
    std::printf("%s link definitions are being built again: not compared\n",
                WithCommas(report->rebuilds_pending).c_str());
  }
  std::printf("%s links expected, %s indexed: %s missing, %s extra, %s wrong counts\n",
              WithCommas(report->expected).c_str(), WithCommas(report->indexed).c_str(),
              WithCommas(report->missing).c_str(), WithCommas(report->extra).c_str(),
              WithCommas(report->bad_counts).c_str());
  if (report->ok()) {
    std::printf("OK\n");
    return 0;
  }
  std::printf("DIFFERENT\n");
  return 1;
}

}  // namespace almanac::cli
