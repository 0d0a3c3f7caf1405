// daftar: the one native binary: the rules from the command line, packages, and the server.
#include <iostream>
#include <string>
#include <vector>

#include "cli.h"
#include "daftar/keys.h"

namespace {

constexpr const char* kHelp = R"(daftar: JKN registration rules and server

usage:
  daftar check nik NIK [--today YYYY-MM-DD]     check a NIK and show its parts
  daftar check kk NUMBER [--today YYYY-MM-DD]   check a family card (KK) number
  daftar check card NUMBER                      check a JKN card number (Verhoeff)
  daftar validate FILE|- [--today YYYY-MM-DD]   validate an application (daftar.application/1)
  daftar quote FILE|- [--date YYYY-MM-DD]       contributions for a request or an application
  daftar card next SERIAL                       the card number for a serial
  daftar va CARD [--prefix DIGITS]              the family virtual account for the head's card
  daftar call COMMAND [FILE|-]                  the rules dispatcher, JSON in and out
  daftar keygen --out DIR [--force]             a server's whole key set (serve --keys-dir DIR)
  daftar seal --key intake.pk --application APP.json --document KIND:MEMBER:PATH ... --out FILE.daftar
                [--today YYYY-MM-DD] [--allow-invalid]
                                                check documents, seal application and documents
  daftar open --key intake.sk FILE.daftar --out DIR
  daftar open --key var/keys/intake.sk --data-dir var REFERENCE --out DIR
                                                verify and open a package, or one the server stored
                                                (writes nothing if it fails)
  daftar serve [--listen HOST:PORT] [--data-dir DIR] [--keys-dir DIR] [--web-root DIR] [--config FILE]
               [--tls-cert F --tls-key F] [--dev]
                                                the server (daftar serve --help)
  daftar pay --server URL --bank BANKX --secret S --va VA --amount N [--months-ahead N] [--bank-ref R]
                                                post a signed payment as a bank would
  daftar audit verify --data-dir DIR [--database URL] [--keys-dir DIR]
                                                check the audit log's keyed hash chain
  daftar migrate --database URL                 apply the schema (sqlite:PATH or postgresql://…)
  daftar migrate --from sqlite:PATH --to URL    copy an office's data into an empty database
  daftar registry-sim --data PEOPLE.csv --listen HOST:PORT [--fail-rate R] [--latency-ms N]
                                                a population registry simulator (docs/population-registry.md)
  daftar operator add NAME --role reviewer|supervisor [--data-dir DIR | --database URL] [--url BASE]
  daftar operator reset NAME [--data-dir DIR | --database URL]
                                                an operator account: prints a one-time set-up link
  daftar admin queue|show|document|approve|reject|request-correction|reasons --server URL --operator NAME
                                                an operator's work without a browser (daftar admin)
  daftar facilities import FILE.csv [--data-dir DIR | --database URL]
                                                load first-level health facilities (FKTP), by code

Every answer is one JSON document on stdout. Exit status: 0 valid, 1 invalid input, 2 usage error.
Dates default to the machine's local date.
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? std::cerr : std::cout) << kHelp;
    return args.empty() ? daftar::cli::kUsage : daftar::cli::kOk;
  }
  if (!daftar::InitCrypto()) {
    std::cerr << "daftar: libsodium cannot initialise\n";
    return 1;
  }
  if (daftar::cli::IsCommand(args[0])) return daftar::cli::Run(args);
  std::cerr << "daftar: unknown command '" << args[0] << "'; try daftar --help\n";
  return daftar::cli::kUsage;
}
