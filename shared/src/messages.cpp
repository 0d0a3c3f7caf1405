#include "daftar/messages.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <optional>
#include <span>

#include "daftar/date.h"
#include "messages_internal.h"

namespace daftar {
namespace {

using Entry = CatalogueEntry;

// What every build says, whichever checks it carries: the dispatcher's own refusals, dates, and
// the document entries both browser modules read. Sorted by code. Messages say what is wrong and
// what to do, in the applicant's words.
constexpr Entry kCatalogue[] = {
    {"api.unknown_command", "Perintah '{command}' tidak dikenal.", "Unknown command '{command}'."},
    {"date.in_future", "Tanggal tidak boleh setelah hari ini ({today:date}).", "The date cannot be after today ({today:date})."},
    {"date.invalid_format", "Tulis tanggal sebagai TTTT-BB-HH, misalnya 1997-09-06.", "Write the date as YYYY-MM-DD, for example 1997-09-06."},
    {"date.not_a_real_date", "Tanggal ini tidak ada di kalender: periksa hari dan bulannya.", "This date does not exist: check the day and the month."},
    {"date.required", "Isi tanggal lahir.", "Enter the date of birth."},
    {"date.too_old", "Tanggal lahir lebih dari {max_years} tahun yang lalu: periksa tahunnya.", "The date of birth is more than {max_years} years ago: check the year."},
    {"document.empty", "Berkas kosong: pilih atau foto ulang dokumennya.", "The file is empty: choose or photograph the document again."},
    {"document.invalid_hash", "Sidik berkas (BLAKE2b) harus 64 digit heksadesimal.", "The file's BLAKE2b hash must be 64 hexadecimal digits."},
    {"document.too_large", "Berkas terlalu besar: paling besar {max_bytes:bytes}.", "The file is too large: at most {max_bytes:bytes}."},
    {"document.unknown_kind", "Jenis dokumen tidak dikenal: pilih KK, KTP, akta kelahiran, pas foto, buku tabungan, buku nikah, akta kematian, atau surat pendukung.", "Unknown kind of document: choose family card, KTP, birth certificate, photo, bank book, marriage certificate, death certificate or supporting letter."},
    {"document.unsupported_media_type", "Jenis berkas tidak didukung: unggah JPG, PNG, atau PDF.", "This type of file is not accepted: upload a JPG, PNG or PDF."},
    {"input.invalid_date", "Tulis tanggal sebagai TTTT-BB-HH dengan tanggal yang ada di kalender.", "Write a real date as YYYY-MM-DD."},
    {"input.malformed_json", "Data tidak dapat dibaca (bukan JSON yang benar).", "The data cannot be read (not valid JSON)."},
    {"input.out_of_range", "Nilai harus antara {min} dan {max}.", "The value must be between {min} and {max}."},
    {"input.required", "Wajib diisi.", "This is required."},
    {"input.too_deep", "Data bersarang terlalu dalam (paling dalam {max} tingkat).", "The data is nested too deeply (at most {max} levels)."},
    {"input.wrong_type", "Isian ini harus berupa {expected}.", "This must be of type {expected}."},
};

// Every part of the catalogue this build carries (messages_internal.h).
std::array<std::span<const Entry>, 4> Parts() {
  return {std::span<const Entry>(kCatalogue), RuleMessages(), SealingMessages(), ServiceMessages()};
}

const Entry* Find(std::string_view code) {
  for (const std::span<const Entry> catalogue : Parts()) {
    const auto it = std::lower_bound(catalogue.begin(), catalogue.end(), code,
                                     [](const Entry& e, std::string_view c) { return e.code < c; });
    if (it != catalogue.end() && it->code == code) return &*it;
  }
  return nullptr;
}

enum class Language { kId, kEn };

// 70000 -> "Rp70.000" (Indonesian) or "Rp70,000" (English).
std::string Rupiah(int64_t amount, Language language) {
  std::string digits = std::to_string(amount < 0 ? -amount : amount);
  for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) digits.insert(static_cast<std::size_t>(at), language == Language::kId ? "." : ",");
  return (amount < 0 ? "-Rp" : "Rp") + digits;
}

// Basis points as a percentage: 250 -> "2,5%" (Indonesian) or "2.5%" (English).
std::string Percent(int64_t basis_points, Language language) {
  std::string out = std::to_string(basis_points / 100);
  for (int64_t rest = basis_points % 100, digits = 0; rest != 0 && digits < 2; rest = rest * 10 % 100, ++digits) {
    if (digits == 0) out += language == Language::kId ? "," : ".";
    out += static_cast<char>('0' + rest * 10 / 100);
  }
  return out + "%";
}

// "2026-03-10" -> "10 Maret 2026" / "10 March 2026"; "2026-03" -> "Maret 2026" / "March 2026";
// a comma-separated list of either, each in words. Anything else stays as it is.
std::string InWords(std::string_view text, Language language) {
  static constexpr std::string_view kId[] = {"Januari", "Februari", "Maret",     "April",   "Mei",      "Juni",
                                             "Juli",    "Agustus",  "September", "Oktober", "November", "Desember"};
  static constexpr std::string_view kEn[] = {"January", "February", "March",     "April",   "May",      "June",
                                             "July",    "August",   "September", "October", "November", "December"};
  std::string out;
  for (std::size_t start = 0; start <= text.size();) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    std::string_view item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    const std::optional<Date> date = item.size() == 7 ? ParseIsoDate(std::string(item) + "-01") : ParseIsoDate(item);
    if (!out.empty()) out += ", ";
    if (!date) {
      out += item;
    } else {
      const std::string_view month = (language == Language::kId ? kId : kEn)[date->month - 1];
      out += (item.size() == 7 ? "" : std::to_string(date->day) + " ") + std::string(month) + " " + std::to_string(date->year);
    }
    start = comma + 1;
  }
  return out;
}

// Bytes in the unit a person reads: 2097152 -> "2 MB"; 524288 -> "512 KB" (binary units).
std::string Bytes(int64_t bytes, Language language) {
  const bool mb = bytes >= (1 << 20);
  const int64_t tenths = bytes * 10 / (mb ? (1 << 20) : (1 << 10));
  std::string out = std::to_string(tenths / 10);
  if (tenths % 10 != 0) out += (language == Language::kId ? "," : ".") + std::to_string(tenths % 10);
  return out + (mb ? " MB" : " KB");
}

// A NIK's sex code in words: "M" -> "laki-laki" / "male", "F" -> "perempuan" / "female".
std::string SexInWords(std::string_view code, Language language) {
  if (code == "M") return language == Language::kId ? "laki-laki" : "male";
  if (code == "F") return language == Language::kId ? "perempuan" : "female";
  return std::string(code);
}

// Fills "{name}" from the params; "{name:rupiah}" formats an amount, "{name:percent}" basis points,
// "{name:bytes}" a size, "{name:date}" a date or month (or a list of them) and "{name:sex}" a sex
// code, in the message's language: a family never reads a code or an ISO date.
std::string Fill(std::string_view text, const std::vector<Param>& params, Language language) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const std::size_t close = text[i] == '{' ? text.find('}', i) : std::string_view::npos;
    if (close == std::string_view::npos) {
      out.push_back(text[i]);
      continue;
    }
    const std::string_view placeholder = text.substr(i + 1, close - i - 1);
    const std::size_t colon = placeholder.find(':');
    const std::string_view name = placeholder.substr(0, colon);
    const std::string_view format = colon == std::string_view::npos ? "" : placeholder.substr(colon + 1);
    const auto p = std::find_if(params.begin(), params.end(), [&](const Param& q) { return q.name == name; });
    if (p == params.end()) {
      out.append(text.substr(i, close - i + 1));
    } else if (const auto* number = std::get_if<int64_t>(&p->value)) {
      out += format == "rupiah"    ? Rupiah(*number, language)
             : format == "percent" ? Percent(*number, language)
             : format == "bytes"   ? Bytes(*number, language)
                                   : std::to_string(*number);
    } else {
      const std::string& value = std::get<std::string>(p->value);
      out += format == "date" ? InWords(value, language) : format == "sex" ? SexInWords(value, language) : value;
    }
    i = close;
  }
  return out;
}

}  // namespace

Message RenderMessage(const Finding& finding) {
  if (const Entry* e = Find(finding.code)) {
    return {Fill(e->id, finding.params, Language::kId), Fill(e->en, finding.params, Language::kEn)};
  }
  // Never reached for codes the core emits: a test compares the sources with the catalogue.
  return {"Isian tidak valid (" + finding.code + ").", "Invalid input (" + finding.code + ")."};
}

bool IsCatalogued(std::string_view code) { return Find(code) != nullptr; }

bool IsConsentTextVersion(std::string_view version) {
  return !version.empty() && version.size() <= 8 && Find("consent.text_v" + std::string(version)) != nullptr;
}

Message ConsentText(std::string_view version) {
  if (!IsConsentTextVersion(version)) return {};
  const Entry* e = Find("consent.text_v" + std::string(version));
  return {std::string(e->id), std::string(e->en)};
}

std::vector<std::string_view> CataloguedCodes() {
  std::vector<std::string_view> codes;
  for (const std::span<const Entry> catalogue : Parts()) {
    for (const Entry& e : catalogue) codes.push_back(e.code);
  }
  std::sort(codes.begin(), codes.end());
  return codes;
}

}  // namespace daftar
