// The precompiled header every ORION target shares (cmake/Pch.cmake): the heavy third-party
// headers nearly every file includes. Parsing nlohmann/json and spdlog is most of the cost of
// compiling a small ORION file; with this it is paid once per build.
#pragma once
#pragma GCC system_header

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>
