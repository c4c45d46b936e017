#include "api/json_extras.h"

#include <algorithm>

namespace almanac::api {
namespace {

using format::JsonWriter;

void WriteStrings(JsonWriter& w, const std::vector<std::string>& values) {
  w.BeginArray();
  for (const std::string& v : values) w.String(v);
  w.EndArray();
}

void WriteFacet(JsonWriter& w, const FacetResult& f) {
  w.BeginObject();
  w.Member("name", f.name);
  w.Member("type", f.type);
  w.MemberBool("hideable", f.hideable);
  w.Member("toggle_url", f.toggle_url);
  w.Key("results");
  w.BeginArray();
  for (const FacetValue& v : f.results) {
    w.BeginObject();
    w.Key("value");
    w.WriteValue(v.value);
    w.Key("label");
    w.WriteValue(v.label);
    w.Member("count", v.count);
    w.Member("toggle_url", v.toggle_url);
    w.MemberBool("selected", v.selected);
    w.EndObject();
  }
  w.EndArray();
  w.MemberBool("truncated", f.truncated);
  w.EndObject();
}

void WriteFacetResults(JsonWriter& w, const TablePage& page) {
  w.BeginObject();
  w.Key("results");
  w.BeginObject();
  std::vector<std::string> keys;
  for (const FacetResult& f : page.facet_results) {
    // Two facets on one column (say column and date) get "name", then "name_2", ...
    std::string key = f.name;
    for (int i = 2; std::find(keys.begin(), keys.end(), key) != keys.end(); ++i) {
      key = f.name + "_" + std::to_string(i);
    }
    keys.push_back(key);
    w.Key(key);
    WriteFacet(w, f);
  }
  w.EndObject();
  w.Key("timed_out");
  WriteStrings(w, page.facets_timed_out);
  w.EndObject();
}

void WriteSuggested(JsonWriter& w, const TablePage& page) {
  w.BeginArray();
  for (const SuggestedFacet& s : page.suggested_facets) {
    w.BeginObject();
    w.Member("name", s.name);
    if (s.type) w.Member("type", *s.type);
    w.Member("toggle_url", s.toggle_url);
    w.EndObject();
  }
  w.EndArray();
}

void WriteDisplayColumns(JsonWriter& w, const TablePage& page) {
  w.BeginArray();
  for (const DisplayColumn& c : page.display_columns) {
    w.BeginObject();
    w.Member("name", c.name);
    w.MemberBool("sortable", c.sortable);
    w.MemberBool("is_pk", c.is_pk);
    w.Member("type", c.type);
    w.Member("notnull", c.notnull ? 1 : 0);
    w.Key("description");
    if (c.description) {
      w.String(*c.description);
    } else {
      w.Null();
    }
    w.MemberNull("column_type");
    w.MemberNull("column_type_config");
    w.EndObject();
  }
  w.EndArray();
}

void WriteExpandable(JsonWriter& w, const TablePage& page) {
  w.BeginArray();
  for (const ExpandableColumn& e : page.expandable_columns) {
    w.BeginArray();
    w.BeginObject();
    w.Member("column", e.fk.column);
    w.Member("other_table", e.fk.other_table);
    w.Member("other_column", e.fk.other_column);
    w.EndObject();
    if (e.label_column) {
      w.String(*e.label_column);
    } else {
      w.Null();
    }
    w.EndArray();
  }
  w.EndArray();
}

void WriteQuery(JsonWriter& w, const TablePage& page) {
  w.BeginObject();
  w.Member("sql", page.query_sql);
  w.Key("params");
  w.BeginObject();
  for (const auto& [name, value] : page.query_params) {
    w.Key(name);
    w.WriteValue(value);
  }
  w.EndObject();
  w.EndObject();
}

// Writes the typed block `name`; false when it is not a typed block.
bool WriteTyped(JsonWriter& w, const TablePage& page, const std::string& name) {
  if (name == "count") {
    w.Key(name);
    page.count ? w.Int(*page.count) : w.Null();
  } else if (name == "count_truncated") {
    w.MemberBool(name, page.count_truncated);
  } else if (name == "count_sql") {
    w.Member(name, page.count_sql);
  } else if (name == "facet_results") {
    w.Key(name);
    WriteFacetResults(w, page);
  } else if (name == "facets_timed_out") {
    w.Key(name);
    WriteStrings(w, page.facets_timed_out);
  } else if (name == "suggested_facets") {
    w.Key(name);
    WriteSuggested(w, page);
  } else if (name == "sorted_facet_results") {
    w.Key(name);
    w.BeginArray();
    for (const FacetResult* f : SortedFacets(page, page.configured_facets)) WriteFacet(w, *f);
    w.EndArray();
  } else if (name == "human_description_en") {
    w.Member(name, page.human_description_en);
  } else if (name == "columns") {
    w.Key(name);
    WriteStrings(w, page.rows.columns);
  } else if (name == "all_columns") {
    w.Key(name);
    WriteStrings(w, page.all_columns);
  } else if (name == "primary_keys") {
    w.Key(name);
    WriteStrings(w, page.primary_keys);
  } else if (name == "display_columns") {
    w.Key(name);
    WriteDisplayColumns(w, page);
  } else if (name == "expandable_columns") {
    w.Key(name);
    WriteExpandable(w, page);
  } else if (name == "query") {
    w.Key(name);
    WriteQuery(w, page);
  } else if (name == "database") {
    w.Member(name, page.database);
  } else if (name == "table") {
    w.Member(name, page.table);
  } else if (name == "is_view") {
    w.MemberBool(name, page.is_view);
  } else if (name == "private") {
    w.MemberBool(name, page.private_);
  } else {
    return false;
  }
  return true;
}

}  // namespace

void WriteTableExtras(JsonWriter& w, const TablePage& page) {
  for (const std::string& name : page.extras) {
    if (WriteTyped(w, page, name)) continue;
    for (const auto& [key, value] : page.extra_json) {
      if (key == name) {
        w.Key(key);
        format::WriteJson(value, w);
        break;
      }
    }
  }
}

void WriteExtraJson(JsonWriter& w,
                    const std::vector<std::pair<std::string, format::JsonValue>>& extras) {
  for (const auto& [key, value] : extras) {
    w.Key(key);
    format::WriteJson(value, w);
  }
}

std::vector<const FacetResult*> SortedFacets(const TablePage& page,
                                             const std::vector<std::string>& configured) {
  std::vector<const FacetResult*> first;
  std::vector<const FacetResult*> rest;
  for (const FacetResult& f : page.facet_results) {
    bool in_config = std::find(configured.begin(), configured.end(), f.name) != configured.end();
    (in_config ? first : rest).push_back(&f);
  }
  std::stable_sort(first.begin(), first.end(), [&](const FacetResult* a, const FacetResult* b) {
    return std::find(configured.begin(), configured.end(), a->name) <
           std::find(configured.begin(), configured.end(), b->name);
  });
  std::stable_sort(rest.begin(), rest.end(), [](const FacetResult* a, const FacetResult* b) {
    if (a->results.size() != b->results.size()) return a->results.size() > b->results.size();
    return a->name > b->name;
  });
  first.insert(first.end(), rest.begin(), rest.end());
  return first;
}

}  // namespace almanac::api
