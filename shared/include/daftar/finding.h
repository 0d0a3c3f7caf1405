// Findings: what a rule says about one place of the input. Rules never throw; they return
// findings, and callers decide what an error or a warning means for them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace daftar {

// A value a message can name ("{length}"). Integers stay integers in JSON.
struct Param {
  std::string name;
  std::variant<int64_t, std::string> value;
};

enum class Severity { kError, kWarning };

// {path, code, params}. `code` is stable forever once released (e.g. "nik.invalid_birth_date");
// `path` is a JSON Pointer into the input ("/members/2/nik"), "" for the whole input.
struct Finding {
  Severity severity = Severity::kError;
  std::string path;
  std::string code;
  std::vector<Param> params;
};

// The findings of one check, in the order the rules found them.
class Findings {
 public:
  void Error(std::string path, std::string code, std::vector<Param> params = {});
  void Warning(std::string path, std::string code, std::vector<Param> params = {});

  // Adds `other`'s findings with `prefix` put before each path: a field check reports at ""
  // and the caller places it ("/members/0/nik").
  void Append(const Findings& other, std::string_view prefix);

  [[nodiscard]] bool has_errors() const;
  [[nodiscard]] bool has_warnings() const;
  [[nodiscard]] const std::vector<Finding>& all() const { return items_; }

 private:
  std::vector<Finding> items_;
};

// The verdict on one text field: its normalised form and the findings at path "".
struct FieldCheck {
  std::string normalized;
  Findings findings;
  [[nodiscard]] bool ok() const { return !findings.has_errors(); }
};

}  // namespace daftar
