#include "json_read.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "daftar/json_depth.h"
#include "text.h"

namespace daftar {

namespace {

// Strict RFC 8259 text to a document, building what nlohmann's sax_parse (strict) built before
// (tests/fuzz/json_fuzz.cpp compares them on any bytes): a leading UTF-8 byte order mark is
// skipped; strings must be UTF-8 without control characters and escape surrogates in pairs; an
// integer is unsigned when it is not negative and fits, signed when it is negative and fits, and
// otherwise, like any number with a fraction or an exponent, a finite double read by strtod; of
// two members with one name the later value stays, in the earlier one's place. Unlike nlohmann's,
// it refuses nesting deeper than kMaxJsonDepth (it recurses once per level; callers that answer
// input.too_deep measure the text first) and a NUL byte after the value (nlohmann took it for
// the end of the text). Plain runs of a string are copied whole, as the writer does: nlohmann's
// lexer took every byte through two containers, a call each in wasm.
class Reader {
 public:
  explicit Reader(std::string_view text) : at_(text.data()), end_(text.data() + text.size()) {}

  bool Document(json& out) {
    constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
    if (Rest().starts_with(kByteOrderMark)) at_ += kByteOrderMark.size();
    if (!Value(out, 0)) return false;
    SkipSpace();
    return at_ == end_;
  }

 private:
  std::string_view Rest() const { return {at_, static_cast<std::size_t>(end_ - at_)}; }

  void SkipSpace() {
    while (at_ != end_ && (*at_ == ' ' || *at_ == '\n' || *at_ == '\r' || *at_ == '\t')) ++at_;
  }

  // The next character after white space, or 0 at the end (NUL is never valid there either).
  char Next() {
    SkipSpace();
    return at_ == end_ ? '\0' : *at_;
  }

  bool Eat(char c) {
    if (at_ == end_ || *at_ != c) return false;
    ++at_;
    return true;
  }

  // `out` becomes the value at the next character; every branch replaces what `out` held.
  bool Value(json& out, int depth) {
    switch (Next()) {
      case '{':
        return depth < kMaxJsonDepth && Object(out, depth + 1);
      case '[':
        return depth < kMaxJsonDepth && Array(out, depth + 1);
      case '"':
        out = json::string_t();
        return String(*out.get_ptr<json::string_t*>());
      case 't':
        return Word("true", true, out);
      case 'f':
        return Word("false", false, out);
      case 'n':
        return Word("null", nullptr, out);
      default:
        return Number(out);
    }
  }

  bool Word(std::string_view word, json value, json& out) {
    if (!Rest().starts_with(word)) return false;
    at_ += word.size();
    out = std::move(value);
    return true;
  }

  bool Object(json& out, int depth) {
    ++at_;  // '{'
    out = json::object();
    json::object_t& members = *out.get_ptr<json::object_t*>();
    if (Next() == '}') return Eat('}');
    do {
      std::string key;
      if (Next() != '"' || !String(key) || Next() != ':') return false;
      ++at_;
      // A repeated name keeps its place; its value is replaced.
      if (!Value(members.emplace(std::move(key), json()).first->second, depth)) return false;
    } while (Next() == ',' && Eat(','));
    return Eat('}');
  }

  bool Array(json& out, int depth) {
    ++at_;  // '['
    out = json::array();
    json::array_t& items = *out.get_ptr<json::array_t*>();
    if (Next() == ']') return Eat(']');
    do {
      if (!Value(items.emplace_back(), depth)) return false;
    } while (Next() == ',' && Eat(','));
    return Eat(']');
  }

  // The string whose opening quote is at at_, unescaped into `out`.
  bool String(std::string& out) {
    ++at_;  // '"'
    for (;;) {
      const char* plain = at_;
      while (at_ != end_ && *at_ != '"' && *at_ != '\\' && static_cast<unsigned char>(*at_) >= 0x20 &&
             static_cast<unsigned char>(*at_) < 0x80) {
        ++at_;
      }
      out.append(plain, at_);
      if (at_ == end_) return false;
      const auto c = static_cast<unsigned char>(*at_);
      if (c == '"') {
        ++at_;
        return true;
      }
      if (c == '\\') {
        if (!Escape(out)) return false;
      } else if (c < 0x20) {
        return false;
      } else {
        const int length = text::Utf8Sequence(Rest());
        if (length < 0) return false;
        out.append(at_, static_cast<std::size_t>(length));
        at_ += length;
      }
    }
  }

  bool Escape(std::string& out) {
    ++at_;  // '\\'
    if (at_ == end_) return false;
    switch (*at_++) {
      case '"': out += '"'; return true;
      case '\\': out += '\\'; return true;
      case '/': out += '/'; return true;
      case 'b': out += '\b'; return true;
      case 'f': out += '\f'; return true;
      case 'n': out += '\n'; return true;
      case 'r': out += '\r'; return true;
      case 't': out += '\t'; return true;
      case 'u': break;
      default: return false;
    }
    char32_t code = 0;
    if (!Hex4(code) || (code >= 0xDC00 && code <= 0xDFFF)) return false;
    if (code >= 0xD800 && code <= 0xDBFF) {  // a high surrogate: its low one must follow
      char32_t low = 0;
      if (!Eat('\\') || !Eat('u') || !Hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(code, out);
    return true;
  }

  bool Hex4(char32_t& code) {
    if (end_ - at_ < 4) return false;
    for (int i = 0; i < 4; ++i, ++at_) {
      const char c = *at_;
      int digit = 0;
      if (c >= '0' && c <= '9') {
        digit = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        digit = c - 'A' + 10;
      } else {
        return false;
      }
      code = code << 4 | static_cast<char32_t>(digit);
    }
    return true;
  }

  static void AppendUtf8(char32_t code, std::string& out) {
    const auto byte = [&out](char32_t b) { out += static_cast<char>(b); };
    if (code < 0x80) {
      byte(code);
    } else if (code < 0x800) {
      byte(0xC0 | code >> 6), byte(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      byte(0xE0 | code >> 12), byte(0x80 | (code >> 6 & 0x3F)), byte(0x80 | (code & 0x3F));
    } else {
      byte(0xF0 | code >> 18), byte(0x80 | (code >> 12 & 0x3F)), byte(0x80 | (code >> 6 & 0x3F)),
          byte(0x80 | (code & 0x3F));
    }
  }

  // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  bool Number(json& out) {
    const char* start = at_;
    const bool negative = Eat('-');
    if (Eat('0')) {
      // a leading zero stands alone: "01" ends after the 0, and the 1 is then refused
    } else if (!Digits()) {
      return false;
    }
    bool integer = true;
    if (Eat('.')) {
      integer = false;
      if (!Digits()) return false;
    }
    if (Eat('e') || Eat('E')) {
      integer = false;
      if (!Eat('+')) Eat('-');
      if (!Digits()) return false;
    }
    if (integer) {
      // from_chars refuses what does not fit; the number is then read as a double.
      if (negative) {
        std::int64_t value = 0;
        if (std::from_chars(start, at_, value).ec == std::errc()) return out = value, true;
      } else {
        std::uint64_t value = 0;
        if (std::from_chars(start, at_, value).ec == std::errc()) return out = value, true;
      }
    }
    const std::string text(start, at_);  // strtod reads up to a NUL
    const double value = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(value)) return false;
    out = value;
    return true;
  }

  // One or more digits.
  bool Digits() {
    const char* first = at_;
    while (at_ != end_ && text::IsDigit(*at_)) ++at_;
    return at_ != first;
  }

  const char* at_;
  const char* const end_;
};

}  // namespace

json ParseJson(std::string_view text) {
  json result;
  if (!Reader(text).Document(result)) return json(json::value_t::discarded);
  return result;
}

std::string JoinPointer(std::string_view base, std::string_view key) {
  std::string out(base);
  out.push_back('/');
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string JoinPointer(std::string_view base, std::size_t index) {
  return std::string(base) + "/" + std::to_string(index);
}

const json* Member(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const json* JsonReader::Find(const json& object, std::string_view key, std::string_view base,
                             Need need) {
  const json* value = Member(object, key);
  if (value == nullptr || value->is_null()) {
    if (need == Need::kRequired) findings_.Error(JoinPointer(base, key), "input.required");
    return nullptr;
  }
  return value;
}

void JsonReader::WrongType(std::string_view base, std::string_view key, std::string_view expected) {
  findings_.Error(JoinPointer(base, key), "input.wrong_type", {{"expected", std::string(expected)}});
}

std::optional<std::string> JsonReader::String(const json& object, std::string_view key,
                                              std::string_view base, Need need) {
  const json* value = Find(object, key, base, need);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    WrongType(base, key, "string");
    return std::nullopt;
  }
  return value->get_ref<const std::string&>();
}

std::optional<int64_t> JsonReader::Integer(const json& object, std::string_view key,
                                           std::string_view base, Need need, int64_t min,
                                           int64_t max) {
  const json* value = Find(object, key, base, need);
  if (value == nullptr) return std::nullopt;
  std::optional<int64_t> number;
  if (value->is_number_unsigned()) {
    const uint64_t u = value->get<uint64_t>();
    if (u <= static_cast<uint64_t>(INT64_MAX)) number = static_cast<int64_t>(u);
  } else if (value->is_number_integer()) {
    number = value->get<int64_t>();
  } else {
    WrongType(base, key, "integer");
    return std::nullopt;
  }
  if (!number || *number < min || *number > max) {
    findings_.Error(JoinPointer(base, key), "input.out_of_range", {{"min", min}, {"max", max}});
    return std::nullopt;
  }
  return number;
}

std::optional<Date> JsonReader::IsoDate(const json& object, std::string_view key,
                                        std::string_view base, Need need) {
  const std::optional<std::string> text = String(object, key, base, need);
  if (!text) return std::nullopt;
  const std::optional<Date> date = ParseIsoDate(*text);
  if (!date) findings_.Error(JoinPointer(base, key), "input.invalid_date");
  return date;
}

const json* JsonReader::Object(const json& object, std::string_view key, std::string_view base,
                               Need need) {
  const json* value = Find(object, key, base, need);
  if (value != nullptr && !value->is_object()) {
    WrongType(base, key, "object");
    return nullptr;
  }
  return value;
}

const json* JsonReader::Array(const json& object, std::string_view key, std::string_view base,
                              Need need) {
  const json* value = Find(object, key, base, need);
  if (value != nullptr && !value->is_array()) {
    WrongType(base, key, "array");
    return nullptr;
  }
  return value;
}

}  // namespace daftar

namespace daftar {

bool NestedDeeperThan(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character, whatever it is
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

}  // namespace daftar
