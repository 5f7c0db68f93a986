# Cross build for 64-bit Arm Linux with Debian's cross toolchain (g++-aarch64-linux-gnu, whose
# target libraries live under /usr/aarch64-linux-gnu) and tests run by qemu-user. Which atomics
# the code is compiled to, LL/SC or LSE, is LOCKSTEP_AARCH64_ATOMICS (CMakeLists.txt), set by
# the aarch64 and aarch64-lse presets.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)

set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# CTest runs every test executable through the emulator; -L points its dynamic loader at the
# cross toolchain's libc and libstdc++.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)
