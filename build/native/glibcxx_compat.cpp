// Built on the consumer's machine only when its libstdc++ predates GCC 13 (no GLIBCXX_3.4.32), and loaded as a
// needed library of the build output's copy of TorchSharp's libLibTorchSharp.so (see ../ArchDsl.Runtime.targets).
//
// GCC 13's <iostream> no longer constructs a std::ios_base::Init in every translation unit; it references
// std::ios_base_library_init() instead, so that the libstdc++ that initialises the standard streams is linked.
// An older libstdc++ lacks that symbol. This definition supplies it, and makes sure the streams are initialised
// before any code of the library that needed it runs.
#include <ios>

namespace {
// Constructed when this library is loaded, i.e. before libLibTorchSharp.so's own initialisers.
std::ios_base::Init streams_ready;
}

namespace std {
__attribute__((visibility("default"))) void ios_base_library_init()
{
    static ios_base::Init init;
}
}
