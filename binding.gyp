{
  # node-gyp build of the CPU backend; CMakeLists.txt (plain CMake, scripts/cmake-build.js) is the primary build and adds
  # CUDA. Both read the source list from native/sources.txt. This build compiles the hot loops
  # once, for baseline x86-64 (no multiversioning), which is what CI tests it as.
  "targets": [
    {
      "target_name": "gru_native",
      "sources": ["<!@(node -p \"require('fs').readFileSync('native/sources.txt','utf8').split(/\\s+/).filter(Boolean).join(' ')\")", "native/cuda/probe_stub.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!@(pkg-config --cflags-only-I openblas | sed s/-I//g)"
      ],
      "libraries": ["<!@(pkg-config --libs openblas)"],
      "defines": ["NAPI_VERSION=2147483647", "GRU_NO_TARGET_CLONES", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-fno-math-errno", "-fexceptions", "-fvisibility=hidden"]
    }
  ]
}
