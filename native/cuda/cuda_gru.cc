// The GRU through cuDNN. Call sequence and pitfalls: docs/gru.md, "cuDNN". Notes [cuDNN weight
// space vs our flat buffer] and [cuDNN dropout] are in cuda_gru.h. The bindings checked every
// tensor and length; nothing here checks them again.
#include "cuda_gru.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>

#include "../core/errors.h"
#include "../ops/gru_layout.h"
#include "cuda_allocator.h"
#include "cuda_backend.h"

namespace gru {
namespace {

cudnn::DataType cudnnTypeOf(DType dtype) {
  switch (dtype) {
    case DType::Float32: return cudnn::DataType::Float;
    case DType::Float64: return cudnn::DataType::Double;
    case DType::Int32: break;
  }
  throw Error(ErrorKind::DType, "the cuda GRU needs float32 or float64 tensors, got int32");
}

// Host value cuDNN writes at padded output positions (outputs past a sequence's length are 0).
void* zeroFillFor(DType dtype) {
  static float zeroFloat = 0.0f;
  static double zeroDouble = 0.0;
  return dtype == DType::Float64 ? static_cast<void*>(&zeroDouble) : static_cast<void*>(&zeroFloat);
}

int32_t toInt32(int64_t value, const char* what) {
  if (value < 0 || value > INT32_MAX) {
    throw Error(ErrorKind::Shape, std::string("the cuda GRU needs ") + what + " in [0, 2^31), got " + std::to_string(value));
  }
  return static_cast<int32_t>(value);
}

bool usesDropout(const GruConfig& c) { return c.dropout > 0.0 && c.numLayers > 1; }

// cuDNN runs the PyTorch form only; the other forms need our own CUDA GRU, not written yet.
void requireResetAfter(const GruConfig& c) {
  if (!c.resetAfter) {
    throw Error(ErrorKind::BackendUnavailable, "resetAfter: false is CPU only: cuDNN has no reset-before GRU");
  }
  if (!c.defaultActivations()) {
    throw Error(ErrorKind::BackendUnavailable,
                "GRU activations other than tanh with sigmoid gates are CPU only for now: cuDNN runs that pair alone");
  }
}

int64_t stateCount(const GruConfig& c) { return c.numLayers * c.directions() * c.batch * c.hiddenSize; }

bool hasPadding(const std::vector<int32_t>& lengths, int64_t seqLen) {
  for (int32_t length : lengths) {
    if (length < seqLen) return true;
  }
  return false;
}

// Padded positions must read as 0 (CPU contract). cuDNN writes paddingFill into padded outputs
// it describes; zeroing first also covers an output it might leave untouched (dx).
void zeroPaddedOutput(void* data, size_t bytes, cudaStream_t stream) {
  cuda::checkCuda(cudaMemsetAsync(data, 0, bytes, stream), "cudaMemsetAsync");
}

}  // namespace

// The data descriptors of one call: x and y (padded, unpacked, time- or batch-major) and the
// hidden-state descriptor [L*D, B, H], plus the host sequence lengths they were built from.
struct CudnnGru::CallDescriptors {
  cuda::RnnDataDesc x, y;
  cuda::TensorDesc h;
  std::vector<int32_t> lengths;
  ShapeKey shape;

  CallDescriptors(const GruConfig& c, DType dtype, const std::vector<int32_t>& given) {
    cuda::CudnnApi& api = cuda::cudnnApi();
    const int32_t seqLen = toInt32(c.seqLen, "seqLen"), batch = toInt32(c.batch, "batch");
    lengths = given.empty() ? std::vector<int32_t>(static_cast<size_t>(batch), seqLen) : given;
    const cudnn::DataType type = cudnnTypeOf(dtype);
    const cudnn::RnnDataLayout layout =
        c.batchFirst ? cudnn::RnnDataLayout::BatchMajorUnpacked : cudnn::RnnDataLayout::SeqMajorUnpacked;
    const int32_t inputSize = toInt32(c.inputSize, "inputSize");
    const int32_t outputSize = toInt32(c.directions() * c.hiddenSize, "directions * hiddenSize");
    cuda::checkCudnn(api.setRnnDataDescriptor(x.get(), type, layout, seqLen, batch, inputSize, lengths.data(),
                                              zeroFillFor(dtype)),
                     "cudnnSetRNNDataDescriptor(x)");
    cuda::checkCudnn(api.setRnnDataDescriptor(y.get(), type, layout, seqLen, batch, outputSize, lengths.data(),
                                              zeroFillFor(dtype)),
                     "cudnnSetRNNDataDescriptor(y)");
    const int32_t hidden = toInt32(c.hiddenSize, "hiddenSize");
    const int dims[3] = {toInt32(c.numLayers * c.directions(), "numLayers * directions"), batch, hidden};
    const int strides[3] = {toInt32(static_cast<int64_t>(batch) * hidden, "batch * hiddenSize"), hidden, 1};
    cuda::checkCudnn(api.setTensorNdDescriptor(h.get(), type, 3, dims, strides), "cudnnSetTensorNdDescriptor(h)");
    shape = ShapeKey{0, c.seqLen, c.batch, c.batchFirst, lengths};
  }
};

CudnnGru::CudnnGru(CudaBackend& backend) : backend_(backend) {}

CudnnGru::~CudnnGru() {
  plans_.clear();
  if (dropoutStates_ != nullptr) cudaAllocator().release(dropoutStates_, dropoutStatesBytes_);
}

StoragePtr CudnnGru::scratch(size_t bytes) {
  return bytes == 0 ? nullptr : makeStorage(cudaAllocator(), bytes);
}

StoragePtr CudnnGru::zeros(size_t bytes) {
  StoragePtr storage = scratch(bytes);
  if (storage) cuda::checkCuda(cudaMemsetAsync(storage->data(), 0, bytes, backend_.stream()), "cudaMemsetAsync");
  return storage;
}

StoragePtr CudnnGru::deviceLengths(const std::vector<int32_t>& lengths) {
  // cuDNN reads devSeqLengths from device memory, possibly after the call returns: the block is
  // only reused by work queued later on the same stream.
  const size_t bytes = lengths.size() * sizeof(int32_t);
  StoragePtr storage = scratch(bytes);
  backend_.enqueueUpload(storage->data(), lengths.data(), bytes);
  return storage;
}

cudnn::DropoutDescriptor CudnnGru::dropoutFor(const GruConfig& c) {
  cuda::CudnnApi& api = cuda::cudnnApi();
  cudnn::Handle handle = backend_.cudnnHandle();
  if (!usesDropout(c)) {
    if (!noDropout_) {
      auto desc = std::make_unique<cuda::DropoutDesc>();
      // p = 0 needs no states and initialises nothing.
      cuda::checkCudnn(api.setDropoutDescriptor(desc->get(), handle, 0.0f, nullptr, 0, 0), "cudnnSetDropoutDescriptor");
      noDropout_ = std::move(desc);
    }
    return noDropout_->get();
  }
  if (!dropout_) {
    cuda::checkCudnn(api.dropoutGetStatesSize(handle, &dropoutStatesBytes_), "cudnnDropoutGetStatesSize");
    // Lives as long as the backend (cuDNN's sample: not freed while RNN descriptors use it);
    // taken from the allocator directly, so it is not counted as tensor memory.
    dropoutStates_ = cudaAllocator().allocate(dropoutStatesBytes_);
    dropout_ = std::make_unique<cuda::DropoutDesc>();
  }
  if (c.dropout != dropoutP_ || c.dropoutSeed() != dropoutSeed_) {
    // Initialises the generator states on the stream (costly): only when p or the seed changes.
    cuda::checkCudnn(api.setDropoutDescriptor(dropout_->get(), handle, static_cast<float>(c.dropout), dropoutStates_,
                                              dropoutStatesBytes_, static_cast<unsigned long long>(c.dropoutSeed())),
                     "cudnnSetDropoutDescriptor");
    if (c.dropout != dropoutP_) {
      // RNN descriptors set with the old p are stale (cuDNN may have copied p when they were set).
      for (auto it = plans_.begin(); it != plans_.end();) it = it->first.dropout > 0 ? plans_.erase(it) : std::next(it);
    }
    dropoutP_ = c.dropout;
    dropoutSeed_ = c.dropoutSeed();
  }
  return dropout_->get();
}

CudnnGru::Plan& CudnnGru::planFor(const GruConfig& c, DType dtype) {
  requireResetAfter(c);
  const bool tf32 = dtype == DType::Float32 && c.allowTF32;
  const cudnn::DropoutDescriptor dropout = dropoutFor(c);
  const PlanKey key{c.inputSize, c.hiddenSize, c.numLayers, c.bidirectional, c.bias, tf32, dtype,
                    usesDropout(c) ? c.dropout : 0.0};
  auto found = plans_.find(key);
  if (found != plans_.end()) return *found->second;

  cuda::CudnnApi& api = cuda::cudnnApi();
  cudnn::Handle handle = backend_.cudnnHandle();
  auto plan = std::make_unique<Plan>();
  const cudnn::DataType type = cudnnTypeOf(dtype);
  // float32: FMA math keeps TF32 tensor cores out, so results match the CPU to ~1e-6 relative.
  const cudnn::MathType math = dtype == DType::Float32 && !tf32 ? cudnn::MathType::Fma : cudnn::MathType::Default;
  const int32_t hidden = toInt32(c.hiddenSize, "hiddenSize");
  cuda::checkCudnn(api.setRnnDescriptorV8(plan->rnn.get(), cudnn::RnnAlgo::Standard, cudnn::RnnMode::Gru,
                                          c.bias ? cudnn::RnnBiasMode::DoubleBias : cudnn::RnnBiasMode::NoBias,
                                          c.bidirectional ? cudnn::DirectionMode::Bidirectional
                                                          : cudnn::DirectionMode::Unidirectional,
                                          cudnn::RnnInputMode::LinearInput, type, type, math,
                                          toInt32(c.inputSize, "inputSize"), hidden, hidden,
                                          toInt32(c.numLayers, "numLayers"), dropout, cudnn::kRnnPaddedIoEnabled),
                   "cudnnSetRNNDescriptor_v8");
  cuda::checkCudnn(api.getRnnWeightSpaceSize(handle, plan->rnn.get(), &plan->weightBytes), "cudnnGetRNNWeightSpaceSize");
  return *plans_.emplace(key, std::move(plan)).first->second;
}

void CudnnGru::mapWeightLayout(Plan& plan, const GruConfig& c, DType dtype, const void* weights) {
  if (plan.layoutMapped) return;
  cuda::CudnnApi& api = cuda::cudnnApi();
  cudnn::Handle handle = backend_.cudnnHandle();
  const int64_t itemSize = static_cast<int64_t>(dtypeSize(dtype));
  const auto* base = static_cast<const char*>(weights);
  const int64_t spaceCount = static_cast<int64_t>(plan.weightBytes) / itemSize;
  cuda::TensorDesc described;
  // The half of each cudnnGetRNNWeightParams query we do not read: cuDNN's documentation does
  // not say the other descriptor and address may be null, so they get somewhere to go.
  cuda::TensorDesc unusedDesc;
  void* unusedAddr = nullptr;
  auto mismatch = [&](const std::string& what, const std::string& problem) {
    return Error(ErrorKind::Native,
                 "cuDNN's GRU weight layout cannot hold gru-native's flat PyTorch-order weights at " + what + ": " +
                     problem + ". Please report this with your cuDNN version.",
                 "LAYOUT_MISMATCH");
  };
  // Where cuDNN put one block (element offset in its weight space), after checking its size.
  auto locate = [&](const void* address, int64_t expectedCount, const std::string& what) -> int64_t {
    if (address == nullptr) throw mismatch(what, "cuDNN has no such block");
    const int64_t offsetBytes = static_cast<const char*>(address) - base;
    cudnn::DataType type;
    int nbDims = 0, dims[8] = {}, strides[8] = {};
    cuda::checkCudnn(api.getTensorNdDescriptor(described.get(), 8, &type, &nbDims, dims, strides),
                     "cudnnGetTensorNdDescriptor");
    int64_t count = 1;
    for (int i = 0; i < nbDims && i < 8; ++i) count *= dims[i];
    if (count != expectedCount) {
      throw mismatch(what, "cuDNN's block has " + std::to_string(count) + " elements, expected " + std::to_string(expectedCount));
    }
    if (offsetBytes < 0 || offsetBytes % itemSize != 0 || offsetBytes / itemSize + count > spaceCount) {
      throw mismatch(what, "cuDNN's block at byte " + std::to_string(offsetBytes) + " is not inside its weight space of " +
                               std::to_string(plan.weightBytes) + " bytes");
    }
    return offsetBytes / itemSize;
  };
  std::vector<WeightRun> runs;
  const int64_t directions = c.directions(), hidden = c.hiddenSize;
  static const char* const kGateNames[3] = {"r", "z", "n"};
  for (int64_t layer = 0; layer < c.numLayers; ++layer) {
    for (int64_t direction = 0; direction < directions; ++direction) {
      const int32_t pseudoLayer = static_cast<int32_t>(layer * directions + direction);
      const std::string suffix = "_l" + std::to_string(layer) + (direction ? "_reverse" : "");
      for (int32_t linLayer = 0; linLayer < 6; ++linLayer) {
        // GRU linLayerID: 0-2 input side (W, b_W) of gates r, z, n; 3-5 recurrent side (R, b_R).
        const bool inputSide = linLayer < 3;
        const int64_t gate = linLayer % 3;
        const int64_t columns = inputSide ? c.layerInputSize(layer) : hidden;
        const std::string gateName = std::string(" gate ") + kGateNames[gate];
        void* matrix = nullptr;
        cuda::checkCudnn(api.getRnnWeightParams(handle, plan.rnn.get(), pseudoLayer, plan.weightBytes, weights, linLayer,
                                                described.get(), &matrix, unusedDesc.get(), &unusedAddr),
                         "cudnnGetRNNWeightParams");
        const int64_t matrixOffset =
            gruParamOffset(c, layer, direction, inputSide ? GruParam::WeightIH : GruParam::WeightHH) + gate * hidden * columns;
        const std::string matrixName = (inputSide ? "weight_ih" : "weight_hh") + suffix + gateName;
        runs.push_back({matrixOffset, locate(matrix, hidden * columns, matrixName), hidden * columns});
        if (!c.bias) continue;  // CUDNN_RNN_NO_BIAS: there are no bias blocks to find
        void* bias = nullptr;
        cuda::checkCudnn(api.getRnnWeightParams(handle, plan.rnn.get(), pseudoLayer, plan.weightBytes, weights, linLayer,
                                                unusedDesc.get(), &unusedAddr, described.get(), &bias),
                         "cudnnGetRNNWeightParams");
        const int64_t biasOffset =
            gruParamOffset(c, layer, direction, inputSide ? GruParam::BiasIH : GruParam::BiasHH) + gate * hidden;
        runs.push_back({biasOffset, locate(bias, hidden, (inputSide ? "bias_ih" : "bias_hh") + suffix + gateName), hidden});
      }
    }
  }
  // No two blocks may share cuDNN memory (each flat block is distinct by construction).
  std::sort(runs.begin(), runs.end(), [](const WeightRun& a, const WeightRun& b) { return a.cudnnOffset < b.cudnnOffset; });
  for (size_t i = 1; i < runs.size(); ++i) {
    if (runs[i - 1].cudnnOffset + runs[i - 1].count > runs[i].cudnnOffset) {
      throw mismatch("element " + std::to_string(runs[i].cudnnOffset), "two of cuDNN's blocks overlap");
    }
  }
  // Merge runs that continue each other on both sides: one copy per run when packing.
  std::sort(runs.begin(), runs.end(), [](const WeightRun& a, const WeightRun& b) { return a.flatOffset < b.flatOffset; });
  std::vector<WeightRun> merged;
  for (const WeightRun& run : runs) {
    if (!merged.empty() && merged.back().flatOffset + merged.back().count == run.flatOffset &&
        merged.back().cudnnOffset + merged.back().count == run.cudnnOffset) {
      merged.back().count += run.count;
    } else {
      merged.push_back(run);
    }
  }
  const int64_t total = gruWeightCount(c);
  const bool identical = merged.size() == 1 && merged[0].flatOffset == 0 && merged[0].cudnnOffset == 0 &&
                         merged[0].count == total && spaceCount == total;
  const char* force = std::getenv("GRU_NATIVE_CUDNN_PACK_WEIGHTS");
  plan.identical = identical;
  plan.packed = !identical || (force != nullptr && std::strcmp(force, "1") == 0);
  plan.runs = std::move(merged);
  plan.layoutMapped = true;
}

std::string CudnnGru::weightRoute(const GruConfig& c, DType dtype) {
  Plan& plan = planFor(c, dtype);
  if (!plan.layoutMapped) {
    // cuDNN only computes block addresses inside the space; any device block of its size will do.
    StoragePtr space = scratch(plan.weightBytes);
    mapWeightLayout(plan, c, dtype, space->data());
  }
  return !plan.packed ? "direct" : plan.identical ? "packed (forced)" : "packed";
}

StoragePtr CudnnGru::packWeights(const Plan& plan, const TensorRef& weights, DType dtype) {
  if (!plan.packed) return nullptr;
  const size_t itemSize = dtypeSize(dtype);
  // Zeroed: cuDNN's space may hold bytes no block covers (alignment padding).
  StoragePtr packed = zeros(plan.weightBytes);
  auto* dst = static_cast<char*>(packed->data());
  const auto* src = static_cast<const char*>(weights.raw());
  for (const WeightRun& run : plan.runs) {
    cuda::checkCuda(cudaMemcpyAsync(dst + run.cudnnOffset * itemSize, src + run.flatOffset * itemSize, run.count * itemSize,
                                    cudaMemcpyDeviceToDevice, backend_.stream()),
                    "cudaMemcpyAsync(pack GRU weights)");
  }
  return packed;
}

void CudnnGru::addPackedGradient(const Plan& plan, const TensorRef& dweights, const StoragePtr& packed, DType dtype) {
  const size_t itemSize = dtypeSize(dtype);
  for (const WeightRun& run : plan.runs) {
    const TensorRef dst{dweights.storage, dweights.byteOffset + run.flatOffset * itemSize, run.count, dtype};
    const TensorRef src{packed, run.cudnnOffset * itemSize, run.count, dtype};
    backend_.axpby(AxpbyRequest{dst, src, 1.0, 1.0});
  }
}

CudnnGru::TempSizes CudnnGru::tempSizes(Plan& plan, const CallDescriptors& call, cudnn::ForwardMode mode) {
  ShapeKey key = call.shape;
  key.mode = static_cast<int>(mode);
  auto found = plan.tempSizes.find(key);
  if (found != plan.tempSizes.end()) return found->second;
  // Sizes are not monotonic in the shape (docs/gru.md, "cuDNN"), so each shape is queried once.
  TempSizes sizes;
  cuda::checkCudnn(cuda::cudnnApi().getRnnTempSpaceSizes(backend_.cudnnHandle(), plan.rnn.get(), mode, call.x.get(),
                                                         &sizes.workspace, &sizes.reserve),
                   "cudnnGetRNNTempSpaceSizes");
  if (plan.tempSizes.size() >= 256) plan.tempSizes.clear();  // bound the cache under ever-changing lengths
  plan.tempSizes.emplace(std::move(key), sizes);
  return sizes;
}

std::optional<TensorRef> CudnnGru::forward(const GruForwardRequest& r) {
  const GruConfig& c = r.config;
  const DType dtype = r.x.dtype;
  Plan& plan = planFor(c, dtype);
  mapWeightLayout(plan, c, dtype, r.weights.raw());
  const CallDescriptors call(c, dtype, r.lengths);
  const bool training = r.training;
  const cudnn::ForwardMode mode = training ? cudnn::ForwardMode::Training : cudnn::ForwardMode::Inference;
  const TempSizes sizes = tempSizes(plan, call, mode);
  // The reserve is sized for this call's lengths, as cuDNN's sizes depend on them.
  std::optional<TensorRef> reserve;
  if (training) {
    const size_t itemSize = dtypeSize(dtype);
    const int64_t count = static_cast<int64_t>((sizes.reserve + itemSize - 1) / itemSize);
    reserve = TensorRef{makeStorage(cudaAllocator(), static_cast<size_t>(count) * itemSize), 0, count, dtype};
  }
  const size_t stateBytes = static_cast<size_t>(stateCount(c)) * dtypeSize(dtype);
  StoragePtr packedWeights = packWeights(plan, r.weights, dtype);
  const void* weights = packedWeights ? packedWeights->data() : r.weights.raw();
  StoragePtr seqLengths = deviceLengths(call.lengths);
  StoragePtr workspace = scratch(sizes.workspace);
  StoragePtr zeroState = r.h0 ? nullptr : zeros(stateBytes);
  const void* hx = r.h0 ? r.h0->raw() : zeroState->data();
  if (hasPadding(call.lengths, c.seqLen)) zeroPaddedOutput(r.y.raw(), r.y.bytes(), backend_.stream());
  // cDesc gets the h descriptor: a valid descriptor that GRU ignores (cx/cy are LSTM-only).
  cuda::checkCudnn(
      cuda::cudnnApi().rnnForward(backend_.cudnnHandle(), plan.rnn.get(), mode, static_cast<const int32_t*>(seqLengths->data()),
                                  call.x.get(), r.x.raw(), call.y.get(), r.y.raw(), call.h.get(), hx, r.hN.raw(),
                                  call.h.get(), nullptr, nullptr, plan.weightBytes, weights, sizes.workspace,
                                  workspace ? workspace->data() : nullptr, training ? sizes.reserve : 0,
                                  training ? reserve->raw() : nullptr),
      "cudnnRNNForward");
  return reserve;
}

void CudnnGru::backward(const GruBackwardRequest& r) {
  const GruConfig& c = r.config;
  const DType dtype = r.x.dtype;
  const int64_t xCount = c.seqLen * c.batch * c.inputSize;
  const int64_t yCount = c.seqLen * c.batch * c.directions() * c.hiddenSize;
  Plan& plan = planFor(c, dtype);
  mapWeightLayout(plan, c, dtype, r.weights.raw());
  const CallDescriptors call(c, dtype, r.lengths);
  const TempSizes sizes = tempSizes(plan, call, cudnn::ForwardMode::Training);
  if (r.reserve.bytes() < sizes.reserve) {
    throw Error(ErrorKind::Argument, "gruBackward: the reserve has " + std::to_string(r.reserve.bytes()) +
                                         " bytes but this call needs " + std::to_string(sizes.reserve) +
                                         ": pass the reserve its training forward returned");
  }
  const size_t itemSize = dtypeSize(dtype);
  const size_t stateBytes = static_cast<size_t>(stateCount(c)) * itemSize;
  StoragePtr packedWeights = packWeights(plan, r.weights, dtype);
  const void* weights = packedWeights ? packedWeights->data() : r.weights.raw();
  // Packed plans: cuDNN adds the gradient into a zeroed scratch space, added to ours afterwards.
  const bool weightGradient = r.dweights.has_value();
  StoragePtr packedGradient = weightGradient && plan.packed ? zeros(plan.weightBytes) : nullptr;
  void* dweights = packedGradient ? packedGradient->data() : weightGradient ? r.dweights->raw() : nullptr;
  StoragePtr seqLengths = deviceLengths(call.lengths);
  StoragePtr workspace = scratch(sizes.workspace);
  // Absent inputs are zeros and absent outputs go to scratch, so no call relies on how cuDNN
  // treats a null pointer.
  StoragePtr zeroH0 = r.h0 ? nullptr : zeros(stateBytes);
  StoragePtr zeroDy = r.dy ? nullptr : zeros(static_cast<size_t>(yCount) * itemSize);
  StoragePtr zeroDhN = r.dhN ? nullptr : zeros(stateBytes);
  StoragePtr unusedDx = r.dx ? nullptr : scratch(static_cast<size_t>(xCount) * itemSize);
  StoragePtr unusedDh0 = r.dh0 ? nullptr : scratch(stateBytes);
  const void* hx = r.h0 ? r.h0->raw() : zeroH0->data();
  const void* dy = r.dy ? r.dy->raw() : zeroDy->data();
  const void* dhy = r.dhN ? r.dhN->raw() : zeroDhN->data();
  void* dx = r.dx ? r.dx->raw() : unusedDx->data();
  if (r.dx && hasPadding(call.lengths, c.seqLen)) zeroPaddedOutput(dx, r.dx->bytes(), backend_.stream());
  void* dhx = r.dh0 ? r.dh0->raw() : unusedDh0->data();
  void* work = workspace ? workspace->data() : nullptr;
  const auto* lengths = static_cast<const int32_t*>(seqLengths->data());
  cuda::CudnnApi& api = cuda::cudnnApi();
  cudnn::Handle handle = backend_.cudnnHandle();

  // Data first: it also prepares the reserve for the weight gradient (docs/gru.md, "cuDNN").
  cuda::checkCudnn(api.rnnBackwardDataV8(handle, plan.rnn.get(), lengths, call.y.get(), r.y->raw(), dy, call.x.get(), dx,
                                         call.h.get(), hx, dhy, dhx, call.h.get(), nullptr, nullptr, nullptr,
                                         plan.weightBytes, weights, sizes.workspace, work, sizes.reserve,
                                         r.reserve.raw()),
                   "cudnnRNNBackwardData_v8");
  // WGRAD_MODE_ADD adds into dweights, which already holds the accumulated gradient: exactly the
  // backend contract, so our buffer is not zeroed (the packed scratch is).
  if (!weightGradient) return;  // frozen weights: no weight-gradient pass
  cuda::checkCudnn(api.rnnBackwardWeightsV8(handle, plan.rnn.get(), cudnn::WgradMode::Add, lengths, call.x.get(),
                                            r.x.raw(), call.h.get(), hx, call.y.get(), r.y->raw(), plan.weightBytes,
                                            dweights, sizes.workspace, work, sizes.reserve, r.reserve.raw()),
                   "cudnnRNNBackwardWeights_v8");
  if (packedGradient) addPackedGradient(plan, *r.dweights, packedGradient, dtype);
}

// ---- CudaBackend's GRU entry points: one cuDNN user at a time (the handle is not thread-safe).

std::optional<TensorRef> CudaBackend::gruForward(const GruForwardRequest& request) {
  raisePendingError();
  std::lock_guard<std::mutex> lock(libraryMutex_);
  if (!gru_) gru_ = std::make_unique<CudnnGru>(*this);
  return gru_->forward(request);
}

std::string CudaBackend::gruWeightRoute(const GruConfig& config, DType dtype) {
  std::lock_guard<std::mutex> lock(libraryMutex_);
  if (!gru_) gru_ = std::make_unique<CudnnGru>(*this);
  return gru_->weightRoute(config, dtype);
}

void CudaBackend::gruBackward(const GruBackwardRequest& request) {
  raisePendingError();
  std::lock_guard<std::mutex> lock(libraryMutex_);
  if (!gru_) gru_ = std::make_unique<CudnnGru>(*this);
  gru_->backward(request);
}

}  // namespace gru
