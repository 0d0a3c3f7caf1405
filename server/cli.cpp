#include "cli.h"

#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "daftar/api.h"

namespace daftar::cli {
namespace {

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

struct UsageError {
  std::string message;
};

// Positional arguments and --name value options, in any order.
struct Args {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;

  std::optional<std::string> Option(const std::string& name) const {
    for (const auto& [n, v] : options) {
      if (n == name) return v;
    }
    return std::nullopt;
  }
};

Args Parse(const std::vector<std::string>& raw, std::initializer_list<const char*> allowed) {
  Args args;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const std::string& a = raw[i];
    if (a.size() > 2 && a.rfind("--", 0) == 0) {
      bool known = false;
      for (const char* name : allowed) known = known || a == name;
      if (!known) throw UsageError{"unknown option " + a};
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

int Answer(std::string_view command, const std::string& input) {
  const Reply reply = Dispatch(command, input, DispatchOptions{.indent = 2});
  std::cout << reply.body << "\n";
  return reply.outcome == Outcome::kOk ? kOk : kInvalid;
}

// Wraps a JSON document read from a file as member `key` of the dispatcher's input. A file that
// is no JSON is handed to the dispatcher as it is, which answers with input.malformed_json.
int AnswerDocument(std::string_view command, const std::string& text, const char* key,
                   const char* date_key, const std::string& date) {
  json document = json::parse(text, nullptr, false);
  if (document.is_discarded()) return Answer(command, text);
  const json input = {{key, std::move(document)}, {date_key, date}};
  return Answer(command, input.dump());
}

void Expect(const Args& args, std::size_t count, const char* usage) {
  if (args.positional.size() != count) throw UsageError{std::string("usage: ") + usage};
}

int Check(const std::vector<std::string>& raw) {
  const Args args = Parse(raw, {"--today"});
  const std::string today = args.Option("--today").value_or(LocalToday());
  if (args.positional.size() != 2) throw UsageError{"usage: daftar check nik|kk|card NUMBER [--today YYYY-MM-DD]"};
  const std::string& what = args.positional[0];
  const std::string& number = args.positional[1];
  if (what == "nik") return Answer("check-nik", json{{"nik", number}, {"today", today}}.dump());
  if (what == "kk") return Answer("check-kk", json{{"kk", number}, {"today", today}}.dump());
  if (what == "card") return Answer("check-card", json{{"card", number}}.dump());
  throw UsageError{"daftar check: expected nik, kk or card, not '" + what + "'"};
}

int Validate(const std::vector<std::string>& raw) {
  const Args args = Parse(raw, {"--today"});
  Expect(args, 1, "daftar validate FILE|- [--today YYYY-MM-DD]");
  return AnswerDocument("validate", ReadInput(args.positional[0]), "application", "today",
                        args.Option("--today").value_or(LocalToday()));
}

int QuoteCmd(const std::vector<std::string>& raw) {
  const Args args = Parse(raw, {"--date"});
  Expect(args, 1, "daftar quote FILE|- [--date YYYY-MM-DD]");
  return AnswerDocument("quote", ReadInput(args.positional[0]), "request", "date",
                        args.Option("--date").value_or(LocalToday()));
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
  const Reply reply = Dispatch(args.positional[0], input);
  std::cout << reply.body << "\n";
  return reply.outcome == Outcome::kOk ? kOk : kInvalid;
}

struct Subcommand {
  const char* name;
  int (*run)(const std::vector<std::string>&);
};

constexpr Subcommand kSubcommands[] = {
    {"check", Check}, {"validate", Validate}, {"quote", QuoteCmd},
    {"card", Card},   {"va", Va},             {"call", Call},
};

}  // namespace

bool IsRulesCommand(const std::string& name) {
  for (const Subcommand& s : kSubcommands) {
    if (name == s.name) return true;
  }
  return false;
}

int RunRules(const std::vector<std::string>& args) {
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
