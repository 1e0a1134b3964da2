// Our own declarations of the part of cuDNN we call (the v8 RNN API, valid on cuDNN 8.0.2+ and
// 9.x). cudnn.h is never needed to build: values and signatures are facts from NVIDIA's
// documentation (the call sequence is in docs/gru.md), and cudnn_api_check.cc asserts them against a real
// cudnn.h whenever one is present at build time. Names differ from cudnn.h on purpose, so both
// can be included in one translation unit (cudnn.h defines some of its constants as macros).
#pragma once
#include <cstddef>
#include <cstdint>

struct CUstream_st;  // cudaStream_t is CUstream_st*

namespace gru {
namespace cudnn {

struct Context;
struct TensorStruct;
struct DropoutStruct;
struct RnnStruct;
struct RnnDataStruct;
using Handle = Context*;
using TensorDescriptor = TensorStruct*;
using DropoutDescriptor = DropoutStruct*;
using RnnDescriptor = RnnStruct*;
using RnnDataDescriptor = RnnDataStruct*;
using Stream = CUstream_st*;

// cudnnStatus_t: a C enum, passed and returned as int. Names live in status.cc (8.x and 9.x).
using Status = int;
constexpr Status kStatusSuccess = 0;

// C enums are int-sized; `enum class : int` has the same calling convention.
enum class DataType : int { Float = 0, Double = 1, Half = 2, Int32 = 4, BFloat16 = 9 };
enum class MathType : int { Default = 0, TensorOp = 1, TensorOpAllowConversion = 2, Fma = 3 };
enum class RnnMode : int { Relu = 0, Tanh = 1, Lstm = 2, Gru = 3 };
enum class RnnAlgo : int { Standard = 0, PersistStatic = 1, PersistDynamic = 2, PersistStaticSmallH = 3 };
enum class RnnBiasMode : int { NoBias = 0, SingleInpBias = 1, DoubleBias = 2, SingleRecBias = 3 };
enum class DirectionMode : int { Unidirectional = 0, Bidirectional = 1 };
enum class RnnInputMode : int { LinearInput = 0, SkipInput = 1 };
enum class ForwardMode : int { Inference = 0, Training = 1 };
enum class RnnDataLayout : int { SeqMajorUnpacked = 0, SeqMajorPacked = 1, BatchMajorUnpacked = 2 };
enum class WgradMode : int { Add = 0, Set = 1 };
// auxFlags bits of cudnnSetRNNDescriptor_v8.
constexpr uint32_t kRnnPaddedIoDisabled = 0;
constexpr uint32_t kRnnPaddedIoEnabled = 1;

// Function types, in cudnn.h's parameter order.
using GetVersionFn = size_t();
using GetErrorStringFn = const char*(Status status);
using GetLastErrorStringFn = void(char* message, size_t maxSize);  // 9.0+
using CreateFn = Status(Handle* handle);
using DestroyFn = Status(Handle handle);
using SetStreamFn = Status(Handle handle, Stream stream);

using CreateTensorDescriptorFn = Status(TensorDescriptor* desc);
using SetTensorNdDescriptorFn = Status(TensorDescriptor desc, DataType dataType, int nbDims, const int dims[],
                                       const int strides[]);
using GetTensorNdDescriptorFn = Status(TensorDescriptor desc, int nbDimsRequested, DataType* dataType, int* nbDims,
                                       int dims[], int strides[]);
using DestroyTensorDescriptorFn = Status(TensorDescriptor desc);

using CreateDropoutDescriptorFn = Status(DropoutDescriptor* desc);
using DropoutGetStatesSizeFn = Status(Handle handle, size_t* bytes);
using SetDropoutDescriptorFn = Status(DropoutDescriptor desc, Handle handle, float dropout, void* states,
                                      size_t stateBytes, unsigned long long seed);
using DestroyDropoutDescriptorFn = Status(DropoutDescriptor desc);

using CreateRnnDescriptorFn = Status(RnnDescriptor* desc);
using SetRnnDescriptorV8Fn = Status(RnnDescriptor desc, RnnAlgo algo, RnnMode cellMode, RnnBiasMode biasMode,
                                    DirectionMode dirMode, RnnInputMode inputMode, DataType dataType,
                                    DataType mathPrec, MathType mathType, int32_t inputSize, int32_t hiddenSize,
                                    int32_t projSize, int32_t numLayers, DropoutDescriptor dropoutDesc,
                                    uint32_t auxFlags);
using DestroyRnnDescriptorFn = Status(RnnDescriptor desc);
using GetRnnWeightSpaceSizeFn = Status(Handle handle, RnnDescriptor desc, size_t* bytes);
using GetRnnWeightParamsFn = Status(Handle handle, RnnDescriptor desc, int32_t pseudoLayer, size_t weightSpaceSize,
                                    const void* weightSpace, int32_t linLayerID, TensorDescriptor mDesc,
                                    void** mAddr, TensorDescriptor bDesc, void** bAddr);

using CreateRnnDataDescriptorFn = Status(RnnDataDescriptor* desc);
using SetRnnDataDescriptorFn = Status(RnnDataDescriptor desc, DataType dataType, RnnDataLayout layout,
                                      int maxSeqLength, int batchSize, int vectorSize, const int seqLengthArray[],
                                      void* paddingFill);
using DestroyRnnDataDescriptorFn = Status(RnnDataDescriptor desc);

using GetRnnTempSpaceSizesFn = Status(Handle handle, RnnDescriptor desc, ForwardMode fwdMode, RnnDataDescriptor xDesc,
                                      size_t* workSpaceSize, size_t* reserveSpaceSize);
using RnnForwardFn = Status(Handle handle, RnnDescriptor desc, ForwardMode fwdMode, const int32_t devSeqLengths[],
                            RnnDataDescriptor xDesc, const void* x, RnnDataDescriptor yDesc, void* y,
                            TensorDescriptor hDesc, const void* hx, void* hy, TensorDescriptor cDesc, const void* cx,
                            void* cy, size_t weightSpaceSize, const void* weightSpace, size_t workSpaceSize,
                            void* workSpace, size_t reserveSpaceSize, void* reserveSpace);
using RnnBackwardDataV8Fn = Status(Handle handle, RnnDescriptor desc, const int32_t devSeqLengths[],
                                   RnnDataDescriptor yDesc, const void* y, const void* dy, RnnDataDescriptor xDesc,
                                   void* dx, TensorDescriptor hDesc, const void* hx, const void* dhy, void* dhx,
                                   TensorDescriptor cDesc, const void* cx, const void* dcy, void* dcx,
                                   size_t weightSpaceSize, const void* weightSpace, size_t workSpaceSize,
                                   void* workSpace, size_t reserveSpaceSize, void* reserveSpace);
// Note the order: (weightSpaceSize, dweightSpace) come before (workSpaceSize, workSpace).
using RnnBackwardWeightsV8Fn = Status(Handle handle, RnnDescriptor desc, WgradMode addGrad,
                                      const int32_t devSeqLengths[], RnnDataDescriptor xDesc, const void* x,
                                      TensorDescriptor hDesc, const void* hx, RnnDataDescriptor yDesc, const void* y,
                                      size_t weightSpaceSize, void* dweightSpace, size_t workSpaceSize,
                                      void* workSpace, size_t reserveSpaceSize, void* reserveSpace);

}  // namespace cudnn
}  // namespace gru
