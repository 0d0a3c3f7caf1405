#include "cli.h"

#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "daftar/api.h"
#include "daftar/json_depth.h"

namespace daftar::cli {

using json = nlohmann::ordered_json;

// The machine's local date: the rules core has no clock, so the shell supplies "today".
std::string LocalToday() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &local);
  return buf;
}

std::optional<std::string> Args::Option(const std::string& name) const {
  for (const auto& [n, v] : options) {
    if (n == name) return v;
  }
  return std::nullopt;
}

std::vector<std::string> Args::All(const std::string& name) const {
  std::vector<std::string> values;
  for (const auto& [n, v] : options) {
    if (n == name) values.push_back(v);
  }
  return values;
}

bool Args::Has(const std::string& name) const { return Option(name).has_value(); }

Args Parse(const std::vector<std::string>& raw, std::initializer_list<const char*> allowed,
           std::initializer_list<const char*> switches) {
  Args args;
  const auto among = [](const std::string& a, std::initializer_list<const char*> names) {
    for (const char* name : names) {
      if (a == name) return true;
    }
    return false;
  };
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const std::string& a = raw[i];
    if (a.size() > 2 && a.rfind("--", 0) == 0) {
      if (among(a, switches)) {
        args.options.emplace_back(a, "");
        continue;
      }
      if (!among(a, allowed)) throw UsageError{"unknown option " + a};
      if (i + 1 >= raw.size()) throw UsageError{a + " needs a value"};
      args.options.emplace_back(a, raw[++i]);
    } else {
      args.positional.push_back(a);
    }
  }
  return args;
}

std::string ReadInput(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) throw UsageError{"cannot read " + path};
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

namespace {

// Dates the user leaves out are the machine's local date.
int Answer(std::string_view command, const std::string& input, int indent = 2) {
  const Reply reply = Dispatch(command, input, DispatchOptions{.indent = indent, .default_today = LocalToday()});
  std::cout << reply.body << "\n";
  return reply.outcome == Outcome::kOk ? kOk : kInvalid;
}

// Wraps a JSON document read from a file as member `key` of the dispatcher's input, with the
// date given by `option` if any. A file that is no JSON, or nests too deep, is handed to the
// dispatcher as it is, which answers with input.malformed_json or input.too_deep.
int AnswerDocument(std::string_view command, const Args& args, const char* key,
                   const char* option, const char* date_key) {
  const std::string text = ReadInput(args.positional[0]);
  if (NestedDeeperThan(text)) return Answer(command, text);
  json document = json::parse(text, nullptr, false);
  if (document.is_discarded()) return Answer(command, text);
  json input = {{key, std::move(document)}};
  if (auto date = args.Option(option)) input[date_key] = *date;
  return Answer(command, input.dump());
}

// {"name": value} plus "today" when --today was given.
json WithToday(const Args& args, const char* name, const std::string& value) {
  json input = {{name, value}};
  if (auto today = args.Option("--today")) input["today"] = *today;
  return input;
}

void Expect(const Args& args, std::size_t count, const char* usage) {
  if (args.positional.size() != count) throw UsageError{std::string("usage: ") + usage};
}

int Check(const std::vector<std::string>& raw) {
  const Args args = Parse(raw, {"--today"});
  if (args.positional.size() != 2) throw UsageError{"usage: daftar check nik|kk|card NUMBER [--today YYYY-MM-DD]"};
  const std::string& what = args.positional[0];
  const std::string& number = args.positional[1];
  if (what == "nik") return Answer("check-nik", WithToday(args, "nik", number).dump());
  if (what == "kk") return Answer("check-kk", WithToday(args, "kk", number).dump());
  if (what == "card") return Answer("check-card", json{{"card", number}}.dump());
  throw UsageError{"daftar check: expected nik, kk or card, not '" + what + "'"};
}

int Validate(const std::vector<std::string>& raw) {
  const Args args = Parse(raw, {"--today"});
  Expect(args, 1, "daftar validate FILE|- [--today YYYY-MM-DD]");
  return AnswerDocument("validate", args, "application", "--today", "today");
}

int QuoteCmd(const std::vector<std::string>& raw) {
  const Args args = Parse(raw, {"--date"});
  Expect(args, 1, "daftar quote FILE|- [--date YYYY-MM-DD]");
  return AnswerDocument("quote", args, "request", "--date", "date");
}

int Card(const std::vector<std::string>& raw) {
  const Args args = Parse(raw, {});
  if (args.positional.size() != 2 || args.positional[0] != "next") {
    throw UsageError{"usage: daftar card next SERIAL"};
  }
  return Answer("card-next", json{{"serial", args.positional[1]}}.dump());
}

int Va(const std::vector<std::string>& raw) {
  const Args args = Parse(raw, {"--prefix"});
  Expect(args, 1, "daftar va CARD [--prefix DIGITS]");
  json input = {{"card", args.positional[0]}};
  if (auto prefix = args.Option("--prefix")) input["prefix"] = *prefix;
  return Answer("va", input.dump());
}

// The dispatcher itself: `daftar call COMMAND [FILE|-]` answers exactly what the wasm build's
// call(COMMAND, input) answers, which is what the parity tests compare.
int Call(const std::vector<std::string>& raw) {
  const Args args = Parse(raw, {});
  if (args.positional.empty() || args.positional.size() > 2) {
    throw UsageError{"usage: daftar call COMMAND [FILE|-]"};
  }
  const std::string input = ReadInput(args.positional.size() == 2 ? args.positional[1] : "-");
  return Answer(args.positional[0], input, /*indent=*/-1);
}

struct Subcommand {
  const char* name;
  int (*run)(const std::vector<std::string>&);
};

constexpr Subcommand kSubcommands[] = {
    {"check", Check}, {"validate", Validate}, {"quote", QuoteCmd}, {"card", Card},
    {"va", Va},       {"call", Call},         {"keygen", Keygen},  {"seal", Seal},
    {"open", Open},   {"serve", Serve},       {"pay", Pay},        {"audit", Audit},
    {"migrate", Migrate}, {"registry-sim", RegistrySimulator}, {"operator", OperatorCommand}, {"admin", Admin},
    {"facilities", Facilities},
};

}  // namespace

bool IsCommand(const std::string& name) {
  for (const Subcommand& s : kSubcommands) {
    if (name == s.name) return true;
  }
  return false;
}

int Run(const std::vector<std::string>& args) {
  for (const Subcommand& s : kSubcommands) {
    if (args.front() != s.name) continue;
    try {
      return s.run(std::vector<std::string>(args.begin() + 1, args.end()));
    } catch (const UsageError& e) {
      std::cerr << "daftar: " << e.message << "\n";
      return kUsage;
    }
  }
  std::cerr << "daftar: unknown command '" << args.front() << "'\n";
  return kUsage;
}

}  // namespace daftar::cli
