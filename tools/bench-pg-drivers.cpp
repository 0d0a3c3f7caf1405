// libpq against SOCI's PostgreSQL back end, the same work through each: the measurement behind
// server/storage_postgres.cpp's choice. Run by tools/bench-pg-drivers.sh (which builds it, starts a
// private cluster and prints the figures); not part of the build.
#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace {

constexpr int kRows = 20000;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

void Libpq(const char* conninfo) {
  PGconn* c = PQconnectdb(conninfo);
  PQclear(PQexec(c, "DROP TABLE IF EXISTS t_libpq; CREATE TABLE t_libpq (id BIGINT PRIMARY KEY, name TEXT, hash BYTEA)"));
  const std::string hash(32, 'h');
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRows; ++i) {
    const std::string id = std::to_string(i), name = "name " + id;
    const char* values[] = {id.c_str(), name.c_str(), hash.data()};
    const int lengths[] = {0, 0, static_cast<int>(hash.size())}, formats[] = {0, 0, 1};
    PQclear(PQexec(c, "BEGIN"));
    PQclear(PQexecParams(c, "INSERT INTO t_libpq VALUES ($1, $2, $3)", 3, nullptr, values, lengths, formats, 1));
    PQclear(PQexec(c, "COMMIT"));
  }
  const double insert = Seconds(start);
  start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRows; ++i) {
    const std::string id = std::to_string(i);
    const char* values[] = {id.c_str()};
    PQclear(PQexecParams(c, "SELECT name, hash FROM t_libpq WHERE id = $1", 1, nullptr, values, nullptr, nullptr, 1));
  }
  const double select = Seconds(start);
  std::printf("libpq  inserts/s %.0f  lookups/s %.0f\n", kRows / insert, kRows / select);
  PQfinish(c);
}

void Soci(const char* conninfo) {
  soci::session s(*soci::factory_postgresql(), conninfo);
  s << "DROP TABLE IF EXISTS t_soci";
  s << "CREATE TABLE t_soci (id BIGINT PRIMARY KEY, name TEXT, hash BYTEA)";
  // SOCI binds a std::string as text: the bytes go as an escaped bytea literal.
  const std::string hash = "\\x" + std::string(64, '6');
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRows; ++i) {
    const long long id = i;
    const std::string name = "name " + std::to_string(i);
    soci::transaction tr(s);
    s << "INSERT INTO t_soci VALUES (:id, :name, :hash)", soci::use(id), soci::use(name), soci::use(hash);
    tr.commit();
  }
  const double insert = Seconds(start);
  start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRows; ++i) {
    const long long id = i;
    std::string name, got;
    s << "SELECT name, hash FROM t_soci WHERE id = :id", soci::use(id), soci::into(name), soci::into(got);
  }
  const double select = Seconds(start);
  std::printf("SOCI   inserts/s %.0f  lookups/s %.0f\n", kRows / insert, kRows / select);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  for (int round = 0; round < 2; ++round) {  // alternated, twice: the machine is noisy
    Libpq(argv[1]);
    Soci(argv[1]);
  }
  return 0;
}
