#include "dynload.h"

#include <dlfcn.h>
#include <glob.h>
#include <link.h>
#include <unistd.h>

#include <cstdlib>

#include "../core/errors.h"

namespace gru {
namespace cuda {

SharedLibrary::SharedLibrary(const char* displayName, std::vector<std::string> sonames, std::string installHint,
                             std::vector<std::vector<std::string>> companions)
    : displayName_(displayName), sonames_(std::move(sonames)), installHint_(std::move(installHint)),
      companions_(std::move(companions)) {}

namespace {

void splitInto(const char* list, std::vector<std::string>& out) {
  if (list == nullptr) return;
  std::string item;
  for (const char* c = list;; ++c) {
    if (*c == ':' || *c == '\0') {
      if (!item.empty()) out.push_back(item);
      item.clear();
      if (*c == '\0') return;
    } else {
      item += *c;
    }
  }
}

// The file the loader opened for `handle`.
std::string pathOf(void* handle) {
  struct link_map* map = nullptr;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || map == nullptr || map->l_name == nullptr) return "";
  return map->l_name;
}

}  // namespace

std::vector<std::string> cudaLibraryFolders() {
  std::vector<std::string> folders;
  splitInto(std::getenv("GRU_NATIVE_CUDA_LIBS"), folders);
  for (const char* variable : {"VIRTUAL_ENV", "CONDA_PREFIX"}) {
    const char* prefix = std::getenv(variable);
    if (prefix == nullptr || *prefix == '\0') continue;
    glob_t found{};
    const std::string pattern = std::string(prefix) + "/lib/python3*/site-packages/nvidia/*/lib";
    if (glob(pattern.c_str(), GLOB_ONLYDIR, nullptr, &found) == 0) {
      for (size_t i = 0; i < found.gl_pathc; ++i) folders.push_back(found.gl_pathv[i]);
    }
    globfree(&found);
  }
  return folders;
}

std::string joined(const std::vector<std::string>& items, const char* separator) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
}

void SharedLibrary::openOnce() {
  std::call_once(once_, [this] {
    std::vector<std::string> attempts;
    const std::vector<std::string> folders = cudaLibraryFolders();
    for (size_t i = 0; i < sonames_.size(); ++i) {
      const std::string& soname = sonames_[i];
      // The loader's own search first, then each folder by full path.
      std::vector<std::string> candidates{soname};
      for (const std::string& folder : folders) candidates.push_back(folder + "/" + soname);
      for (const std::string& candidate : candidates) {
        const bool inFolder = candidate != soname;
        if (inFolder && access(candidate.c_str(), R_OK) != 0) continue;
        if (inFolder && i < companions_.size()) {
          const std::string folder = candidate.substr(0, candidate.size() - soname.size());
          // Kept open for the process's life, like the library itself.
          for (const std::string& companion : companions_[i]) dlopen((folder + companion).c_str(), RTLD_LAZY | RTLD_LOCAL);
        }
        dlerror();
        // RTLD_LOCAL: our symbols stay out of the global namespace.
        void* handle = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (handle != nullptr) {
          handle_ = handle;
          openedName_ = soname;
          openedPath_ = pathOf(handle);
          return;
        }
        const char* detail = dlerror();
        attempts.push_back(candidate + ": " + (detail ? detail : "unknown dlopen error"));
      }
    }
    const std::string searched = folders.empty() ? "" : " Folders searched besides the loader's: " + joined(folders) + ".";
    error_ = std::string(displayName_) + " could not be loaded (tried " + joined(attempts, "; ") + ")." + searched + " " +
             installHint_;
  });
}

bool SharedLibrary::tryOpen(std::string* error) {
  openOnce();
  if (handle_ == nullptr && error != nullptr) *error = error_;
  return handle_ != nullptr;
}

void* SharedLibrary::findSymbol(const char* name) {
  if (!tryOpen()) return nullptr;
  return dlsym(handle_, name);
}

void* SharedLibrary::symbol(const char* name) {
  std::string error;
  if (!tryOpen(&error)) throw Error(ErrorKind::BackendUnavailable, error, "CUDA_LIBRARY_NOT_FOUND");
  dlerror();
  void* address = dlsym(handle_, name);
  if (address == nullptr) {
    const char* detail = dlerror();
    throw Error(ErrorKind::BackendUnavailable,
                std::string(displayName_) + " (" + openedName_ + ") has no function " + name + " (" +
                    (detail ? detail : "dlsym returned null") + "); gru-native needs a newer " + displayName_,
                "CUDA_LIBRARY_SYMBOL_MISSING");
  }
  return address;
}

// Leaked on purpose: the libraries stay loaded until the process exits, so no static destructor
// can run while a callback or another thread still uses them.
CudnnApi& cudnnApi() {
  static CudnnApi* api = new CudnnApi{
      SharedLibrary("cuDNN", {"libcudnn.so.9", "libcudnn.so.8"},
                    "Install cuDNN 9 for your CUDA version (for example `pip install nvidia-cudnn-cu13` in an active "
                    "Python environment, or NVIDIA's libcudnn9 package), or name its lib folder in GRU_NATIVE_CUDA_LIBS "
                    "or LD_LIBRARY_PATH.",
                    {{"libcudnn_graph.so.9", "libcudnn_engines_precompiled.so.9", "libcudnn_engines_runtime_compiled.so.9",
                      "libcudnn_heuristic.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9", "libcudnn_adv.so.9"},
                     {"libcudnn_ops_infer.so.8", "libcudnn_ops_train.so.8", "libcudnn_cnn_infer.so.8",
                      "libcudnn_cnn_train.so.8", "libcudnn_adv_infer.so.8", "libcudnn_adv_train.so.8"}})};
  return *api;
}

CublasApi& cublasApi() {
  static CublasApi* api = new CublasApi{
      SharedLibrary("cuBLAS", {"libcublas.so.13", "libcublas.so.12", "libcublas.so.11"},
                    "Install cuBLAS for your CUDA version (for example `pip install nvidia-cublas` in an active Python "
                    "environment, or the CUDA toolkit's libcublas package), or name its lib folder in "
                    "GRU_NATIVE_CUDA_LIBS or LD_LIBRARY_PATH.",
                    {{"libcublasLt.so.13"}, {"libcublasLt.so.12"}, {"libcublasLt.so.11"}})};
  return *api;
}

namespace {

template <typename... Symbols>
std::vector<std::string> missing(const Symbols&... symbols) {
  std::vector<std::string> names;
  ((symbols.available() ? void() : names.push_back(symbols.name())), ...);
  return names;
}

}  // namespace

std::vector<std::string> CudnnApi::missingFunctions() const {
  return missing(getVersion, getErrorString, create, destroy, setStream, createTensorDescriptor, setTensorNdDescriptor,
                 getTensorNdDescriptor, destroyTensorDescriptor, createDropoutDescriptor, dropoutGetStatesSize,
                 setDropoutDescriptor, destroyDropoutDescriptor, createRnnDescriptor, setRnnDescriptorV8,
                 destroyRnnDescriptor, getRnnWeightSpaceSize, getRnnWeightParams, createRnnDataDescriptor,
                 setRnnDataDescriptor, destroyRnnDataDescriptor, getRnnTempSpaceSizes, rnnForward, rnnBackwardDataV8,
                 rnnBackwardWeightsV8);
}

std::vector<std::string> CublasApi::missingFunctions() const {
  return missing(create, destroy, setStream, getVersion, getProperty, setMathMode, sgemm, dgemm);
}

std::string LibraryVersion::text() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

LibraryVersion decodeCudnnVersion(size_t encoded) {
  const int v = static_cast<int>(encoded);
  const int majorUnit = v >= 90000 ? 10000 : 1000;
  return LibraryVersion{v / majorUnit, (v % majorUnit) / 100, v % 100};
}

}  // namespace cuda
}  // namespace gru
