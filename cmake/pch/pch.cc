// Empty: the target exists to build the precompiled header (cmake/Pch.cmake).
