#include "daftar/signature.h"

#include <catch2/catch.hpp>

#include "finding_util.h"

using namespace daftar;
using testing::Codes;
using testing::Strings;

TEST_CASE("a signed document verifies only against the key the verifier trusts") {
  REQUIRE(InitCrypto());
  const SigningKeys server = GenerateSigningKeys(), stranger = GenerateSigningKeys();
  const auto b64 = [](const PublicKey& k) { return Base64Encode({reinterpret_cast<const char*>(k.data()), k.size()}); };
  const SignedDocument card = Sign(R"({"card":"0000000000010"})", server.secret_key, server.public_key);
  CHECK(Codes(VerifySigned(card, b64(server.public_key))) == Strings{});
  // Fail closed: without a trusted key even a sound signature proves nothing.
  CHECK(Codes(VerifySigned(card, "")) == Strings{"signature.no_trusted_key"});
  // A forger signs with its own key and ships that key along.
  const SignedDocument forged = Sign(R"({"card":"0000000000010"})", stranger.secret_key, stranger.public_key);
  CHECK(Codes(VerifySigned(forged, b64(server.public_key))) == Strings{"signature.untrusted_key"});
  SignedDocument altered = card;
  altered.payload = R"({"card":"0000000000028"})";
  CHECK(Codes(VerifySigned(altered, b64(server.public_key))) == Strings{"signature.invalid"});
}
