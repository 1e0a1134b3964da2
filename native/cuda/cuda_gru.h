// The GRU on CUDA through cuDNN's v8 RNN API (CUDNN_GRU, linear input, padded unpacked I/O).
//
// Note [cuDNN weight space vs our flat buffer]
// The weights and their gradients live in our flat PyTorch-order buffer (Note [GRU weight
// layout], cpu/gru_layout.h). cuDNN's weight space layout is opaque, so the first use of each
// network shape maps it: cudnnGetRNNWeightParams locates the matrix and bias of every
// (pseudo-layer, linLayerID 0-5), and each block must have the element count of its flat
// counterpart (else NativeError LAYOUT_MISMATCH). When every block sits at its flat offset and
// the sizes agree, cuDNN reads and writes our buffers directly. Otherwise each call packs the
// weights into a scratch weight space (one device copy per contiguous run) and the weight
// gradient is computed into a zeroed scratch and added back run by run. Setting
// GRU_NATIVE_CUDNN_PACK_WEIGHTS=1 forces packing, so tests exercise both routes on any cuDNN.
// bias: false uses CUDNN_RNN_NO_BIAS (our layout has no bias blocks then), true DOUBLE_BIAS.
//
// Note [cuDNN dropout]
// Dropout between layers uses cuDNN's own generator (states buffer per backend, initialised
// from GruConfig::dropoutSeed() whenever p or the seed changes, then advancing on its own). Its
// masks therefore differ from the CPU backend's Philox masks: same p and scaling, different
// draws. Results with dropout are reproducible on one device, not across devices.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "cudnn_descriptors.h"
#include "../ops/gru_requests.h"

namespace gru {

class CudaBackend;

class CudnnGru {
 public:
  explicit CudnnGru(CudaBackend& backend);
  ~CudnnGru();
  CudnnGru(const CudnnGru&) = delete;
  CudnnGru& operator=(const CudnnGru&) = delete;

  // Callers hold the backend's libraryMutex().
  // Training calls return the reserve, sized for the call's lengths.
  std::optional<TensorRef> forward(const GruForwardRequest& request);
  void backward(const GruBackwardRequest& request);
  // "direct", "packed" or "packed (forced)" for this network shape (diagnostics and tests).
  std::string weightRoute(const GruConfig& config, DType dtype);

 private:
  // What fixes the RNN descriptor (not the sequence length or batch size).
  struct PlanKey {
    int64_t inputSize, hiddenSize, numLayers;
    bool bidirectional, bias, allowTF32;
    DType dtype;
    double dropout;
    bool operator<(const PlanKey& o) const {
      return std::tie(inputSize, hiddenSize, numLayers, bidirectional, bias, allowTF32, dtype, dropout) <
             std::tie(o.inputSize, o.hiddenSize, o.numLayers, o.bidirectional, o.bias, o.allowTF32, o.dtype, o.dropout);
    }
  };
  // What the workspace and reserve sizes depend on besides the plan.
  struct ShapeKey {
    int mode;
    int64_t seqLen, batch;
    bool batchFirst;
    std::vector<int32_t> lengths;
    bool operator<(const ShapeKey& o) const {
      return std::tie(mode, seqLen, batch, batchFirst, lengths) < std::tie(o.mode, o.seqLen, o.batch, o.batchFirst, o.lengths);
    }
  };
  struct TempSizes {
    size_t workspace = 0, reserve = 0;
  };
  // A contiguous run of weights: `count` elements at `flatOffset` in our buffer and at
  // `cudnnOffset` in cuDNN's weight space.
  struct WeightRun {
    int64_t flatOffset, cudnnOffset, count;
  };
  struct Plan {
    cuda::RnnDesc rnn;
    size_t weightBytes = 0;
    bool layoutMapped = false;
    bool identical = false;  // cuDNN's layout is our flat buffer's
    bool packed = false;     // !identical, or packing forced
    std::vector<WeightRun> runs;
    std::map<ShapeKey, TempSizes> tempSizes;
  };
  struct CallDescriptors;

  Plan& planFor(const GruConfig& config, DType dtype);
  cudnn::DropoutDescriptor dropoutFor(const GruConfig& config);
  void mapWeightLayout(Plan& plan, const GruConfig& config, DType dtype, const void* weights);
  // The weights cuDNN reads: our buffer itself, or (packed plans) a scratch copy in its layout.
  StoragePtr packWeights(const Plan& plan, const TensorRef& weights, DType dtype);
  void addPackedGradient(const Plan& plan, const TensorRef& dweights, const StoragePtr& packed, DType dtype);
  TempSizes tempSizes(Plan& plan, const CallDescriptors& call, cudnn::ForwardMode mode);
  // Device scratch released when the returned pointer goes (stream order makes that safe).
  StoragePtr scratch(size_t bytes);
  StoragePtr zeros(size_t bytes);
  StoragePtr deviceLengths(const std::vector<int32_t>& lengths);

  CudaBackend& backend_;
  std::map<PlanKey, std::unique_ptr<Plan>> plans_;
  std::unique_ptr<cuda::DropoutDesc> noDropout_;
  std::unique_ptr<cuda::DropoutDesc> dropout_;
  void* dropoutStates_ = nullptr;
  size_t dropoutStatesBytes_ = 0;
  double dropoutP_ = -1;
  uint64_t dropoutSeed_ = 0;
};

}  // namespace gru
