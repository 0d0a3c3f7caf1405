// The application document (schema "daftar.application/1"): a family's whole registration.
// The browser, the CLI and the server validate it with this one function.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "daftar/api.h"  // kDefaultMaxMembers
#include "daftar/date.h"
#include "daftar/documents.h"
#include "daftar/finding.h"
#include "daftar/tariffs.h"

namespace daftar {

inline constexpr std::string_view kApplicationSchema = "daftar.application/1";


struct ApplicationCheck {
  Findings findings;          // paths are JSON Pointers into the application
  nlohmann::ordered_json normalized;  // the application with every field in its stored form
};

// What the server in front of this application requires beyond the rules: the applicant's consent
// to the population-registry check (a server that asks the registry), and a first-level health
// facility (a server whose operators loaded the facility table). The web app asks its server.
struct ApplicationRequirements {
  bool consent = false;
  bool facility = false;
};

// Every rule of RULES.md section 6 and the field rules beneath it. `today` decides ages,
// newborns and two-digit years; the classes on offer are those of the tariff row for `today`.
[[nodiscard]] ApplicationCheck ValidateApplication(const nlohmann::ordered_json& application, Date today,
                                                   const TariffTable& tariffs,
                                                   const DocumentRules& documents,
                                                   int max_members = kDefaultMaxMembers,
                                                   ApplicationRequirements needs = {});

// One person joining a registered family (a change of type "add_member"; `input` is
// {"member": {…}, "documents": […]}): the member by the application's rules, never as a head;
// the person's documents (an e-KTP from 17 or once married, a birth certificate without a NIK, a
// marriage certificate for a spouse) and the family's new KK, unless a newborn without a NIK yet.
// A document belongs to the person unless it is the KK.
[[nodiscard]] ApplicationCheck ValidateJoiningMember(const nlohmann::ordered_json& input, Date today,
                                                     const TariffTable& tariffs, const DocumentRules& documents);

// One entry of a package's document list: a known kind, an accepted media type, a size within
// the kind's limit, a BLAKE2b-256 hash (stored in lowercase in `normalized`). Paths relative to
// the entry. The kind it names, known or not (an unknown one is an error here).
[[nodiscard]] std::optional<std::string> CheckDocumentEntry(const nlohmann::ordered_json& entry,
                                                            const DocumentRules& documents, Findings& findings,
                                                            nlohmann::ordered_json& normalized);

}  // namespace daftar
