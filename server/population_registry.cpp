#include "population_registry.h"

#include <algorithm>
#include <cmath>

#include "checked_json.h"
#include "daftar/json_depth.h"

namespace daftar::server {

std::string_view ResultName(RegistryAnswer::Result result) {
  switch (result) {
    case RegistryAnswer::Result::kMatch:
      return "match";
    case RegistryAnswer::Result::kMismatch:
      return "mismatch";
    case RegistryAnswer::Result::kNotFound:
      return "not_found";
    case RegistryAnswer::Result::kUnavailable:
      break;
  }
  return "unavailable";
}

std::string RegistryRequestJson(const RegistryRequest& r) {
  return json{{"request_id", r.request_id},
              {"nik", r.nik},
              {"kk_number", r.kk_number},
              {"name", r.name},
              {"birth_date", r.birth_date},
              {"sex", r.sex},
              {"purpose", "jkn-registration"},
              {"consent", {{"given_at", r.consent_given_at}, {"text_version", r.consent_text_version}}}}
      .dump();
}

RegistryAnswer ParseRegistryAnswer(int status, std::string_view body, const std::string& request_id) {
  RegistryAnswer a;
  a.request_id = request_id;
  if (status != 200) {
    a.error = "HTTP " + std::to_string(status);
    return a;
  }
  const json doc = NestedDeeperThan(body) ? json() : json::parse(body, nullptr, false);
  const std::string result = TextOf(Field(doc, "result"));
  if (TextOf(Field(doc, "request_id")) != request_id) {
    a.error = "the answer names another request_id";
    return a;
  }
  const json& fields = Field(doc, "fields");
  for (const char* name : {"kk_number", "name", "birth_date", "sex"}) {
    const json& flag = Field(fields, name);
    if (!flag.is_boolean()) {
      a.error = std::string("the answer lacks fields.") + name;
      return a;
    }
    a.fields[name] = flag.get<bool>();
  }
  const bool all = std::all_of(a.fields.begin(), a.fields.end(), [](const auto& f) { return f.second; });
  if (result == "match" && all) {
    a.result = RegistryAnswer::Result::kMatch;
  } else if (result == "mismatch" && !all) {
    a.result = RegistryAnswer::Result::kMismatch;
  } else if (result == "not_found") {
    a.result = RegistryAnswer::Result::kNotFound;
  } else {
    a.error = "the answer's result \"" + result + "\" disagrees with its fields or is unknown";
  }
  return a;
}

CircuitBreaker::CircuitBreaker(std::unique_ptr<PopulationRegistry> inner, int failures, int open_seconds,
                               std::function<int64_t()> unix_seconds)
    : inner_(std::move(inner)), failures_(std::max(1, failures)), open_seconds_(std::max(1, open_seconds)),
      unix_seconds_(std::move(unix_seconds)) {}

RegistryAnswer CircuitBreaker::Verify(const RegistryRequest& request) {
  {
    std::lock_guard lock(mutex_);
    if (consecutive_failures_ >= failures_) {
      // Open: no calls until the pause is over, then a single trial call at a time.
      if (unix_seconds_() < open_until_ || trial_in_flight_) {
        RegistryAnswer refused;
        refused.request_id = request.request_id;
        refused.error = "circuit open: the registry failed " + std::to_string(consecutive_failures_) + " times in a row";
        return refused;
      }
      trial_in_flight_ = true;
    }
    ++calls_;
  }
  RegistryAnswer answer = inner_->Verify(request);
  std::lock_guard lock(mutex_);
  trial_in_flight_ = false;
  if (answer.result == RegistryAnswer::Result::kUnavailable) {
    if (++consecutive_failures_ >= failures_) open_until_ = unix_seconds_() + open_seconds_;
  } else {
    consecutive_failures_ = 0;
  }
  return answer;
}

bool CircuitBreaker::open() const {
  std::lock_guard lock(mutex_);
  return consecutive_failures_ >= failures_;
}

uint64_t CircuitBreaker::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

int64_t BackoffSeconds(int attempt, int64_t base, int64_t cap, double unit_random) {
  const double exponential = static_cast<double>(base) * std::pow(2.0, std::min(attempt - 1, 30));
  const double capped = std::min(static_cast<double>(cap), exponential);
  const double jittered = capped / 2 + capped / 2 * std::clamp(unit_random, 0.0, 1.0);
  return std::max<int64_t>(1, static_cast<int64_t>(std::llround(jittered)));
}

}  // namespace daftar::server
