// The HTTP implementation of PopulationRegistry (Beast stays in the .cpp).
#pragma once

#include <memory>
#include <string>

#include "config.h"
#include "population_registry.h"

namespace daftar::server {

// nullptr and `error` when the configured URL is unusable.
[[nodiscard]] std::unique_ptr<PopulationRegistry> MakeHttpPopulationRegistry(const PopulationRegistryConfig& config,
                                                                             std::string& error);

}  // namespace daftar::server
