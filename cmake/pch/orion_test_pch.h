// The precompiled header of the test executables: orion_pch.h plus GoogleTest and GoogleMock.
#pragma once
#pragma GCC system_header

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "orion_pch.h"
