// oneDNN CPU peer for bench/gru.ts: times oneDNN's linear-before-reset GRU (lbr_gru, the same
// math as torch's and ours) and prints one JSON object. Built by the bench against Debian's
// libdnnl-dev when it is installed:
//
//   g++ -O2 -std=c++17 bench/peers/onednn_gru.cc -ldnnl -o onednn_gru
//   ./onednn_gru S:100:64:128:256:1:2:15:1:10 ... --step 1:256:256:200:2000
//
// Each scenario is name:seq:batch:input:hidden:layers:forwardWarmup:forwardRepeats:fbWarmup:fbRepeats;
// forward is inference, forward+backward is a training forward then the backward with the input
// and weight gradients (what oneDNN computes). The weights are reordered once, outside the timed
// loops, into the layout the primitive picks (format_tag::any), as a user of oneDNN would keep them.
// The step is one time step at batch 1 (T = 1 inference). Threads follow OMP_NUM_THREADS.
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

struct Scenario {
  std::string name;
  long seq, batch, input, hidden, layers;
  int forwardWarmup, forwardRepeats, fbWarmup, fbRepeats;
};

struct Stats {
  double median, min, p90;
  int repeats;
};

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, sep);) parts.push_back(part);
  return parts;
}

Stats measure(int warmup, int repeats, const std::function<void()>& run) {
  std::vector<double> ms;
  for (int i = 0; i < warmup + repeats; ++i) {
    auto start = std::chrono::steady_clock::now();
    run();
    double elapsed = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (i >= warmup) ms.push_back(elapsed);
  }
  std::sort(ms.begin(), ms.end());
  size_t n = ms.size();
  double median = n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
  size_t p90 = std::min(n - 1, static_cast<size_t>(std::max(0.0, std::ceil(0.9 * n) - 1)));
  return {median, ms[0], ms[p90], static_cast<int>(n)};
}

/** A memory of `md` filled with uniform values in [-0.1, 0.1). */
memory filled(const memory::desc& md, const engine& eng, std::mt19937& gen) {
  memory m(md, eng);
  std::uniform_real_distribution<float> u(-0.1f, 0.1f);
  auto* p = static_cast<float*>(m.get_data_handle());
  for (size_t i = 0; i < md.get_size() / sizeof(float); ++i) p[i] = u(gen);
  return m;
}

/** `plain` (in the user layout) reordered into the layout `wanted`, or `plain` when they agree. */
memory reordered(memory& plain, const memory::desc& wanted, const engine& eng, stream& s) {
  if (plain.get_desc() == wanted) return plain;
  memory out(wanted, eng);
  reorder(plain, out).execute(s, plain, out);
  s.wait();
  return out;
}

struct Shapes {
  memory::desc srcLayer, srcIter, weightsLayer, weightsIter, bias, dstLayer, dstIter;
};

Shapes shapes(const Scenario& c, bool anyWeights) {
  const long G = 3, D = 1;
  memory::dims srcLayer{c.seq, c.batch, c.input}, iter{c.layers, D, c.batch, c.hidden};
  memory::dims wLayer{c.layers, D, c.input, G, c.hidden}, wIter{c.layers, D, c.hidden, G, c.hidden};
  memory::dims bias{c.layers, D, G + 1, c.hidden}, dstLayer{c.seq, c.batch, c.hidden};
  tag w = anyWeights ? tag::any : tag::ldigo;
  return {{srcLayer, dt::f32, tag::tnc}, {iter, dt::f32, tag::ldnc}, {wLayer, dt::f32, w}, {wIter, dt::f32, w},
          {bias, dt::f32, tag::ldgo}, {dstLayer, dt::f32, tag::tnc}, {iter, dt::f32, tag::ldnc}};
}

void printStats(std::ostringstream& out, const std::string& scenario, const char* op, const Stats& s, bool& first) {
  out << (first ? "" : ",") << "{\"scenario\":\"" << scenario << "\",\"op\":\"" << op << "\",\"medianMs\":" << s.median
      << ",\"minMs\":" << s.min << ",\"p90Ms\":" << s.p90 << ",\"repeats\":" << s.repeats << "}";
  first = false;
}

void runScenario(const Scenario& c, const engine& eng, stream& s, std::ostringstream& out, bool& first, bool withBackward) {
  std::mt19937 gen(7);
  Shapes plain = shapes(c, false), any = shapes(c, true);
  memory srcLayer = filled(plain.srcLayer, eng, gen), srcIter = filled(plain.srcIter, eng, gen);
  memory wLayerPlain = filled(plain.weightsLayer, eng, gen), wIterPlain = filled(plain.weightsIter, eng, gen);
  memory bias = filled(plain.bias, eng, gen);
  memory dstLayer(plain.dstLayer, eng), dstIter(plain.dstIter, eng);

  auto inferenceDesc = lbr_gru_forward::desc(prop_kind::forward_inference, rnn_direction::unidirectional_left2right, any.srcLayer, any.srcIter,
                                             any.weightsLayer, any.weightsIter, any.bias, any.dstLayer, any.dstIter);
  lbr_gru_forward::primitive_desc inference(inferenceDesc, eng);
  memory wLayer = reordered(wLayerPlain, inference.weights_layer_desc(), eng, s), wIter = reordered(wIterPlain, inference.weights_iter_desc(), eng, s);
  lbr_gru_forward forward(inference);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC_LAYER, srcLayer}, {DNNL_ARG_SRC_ITER, srcIter}, {DNNL_ARG_WEIGHTS_LAYER, wLayer},
                                       {DNNL_ARG_WEIGHTS_ITER, wIter}, {DNNL_ARG_BIAS, bias}, {DNNL_ARG_DST_LAYER, dstLayer}, {DNNL_ARG_DST_ITER, dstIter}};
  if (inference.scratchpad_desc().get_size() > 0) args.insert({DNNL_ARG_SCRATCHPAD, memory(inference.scratchpad_desc(), eng)});
  auto forwardStats = measure(c.forwardWarmup, c.forwardRepeats, [&] { forward.execute(s, args); s.wait(); });
  printStats(out, c.name, withBackward ? "forward" : "step", forwardStats, first);
  if (!withBackward) return;

  auto trainingDesc = lbr_gru_forward::desc(prop_kind::forward_training, rnn_direction::unidirectional_left2right, any.srcLayer, any.srcIter,
                                            any.weightsLayer, any.weightsIter, any.bias, any.dstLayer, any.dstIter);
  lbr_gru_forward::primitive_desc training(trainingDesc, eng);
  auto backwardDesc = lbr_gru_backward::desc(prop_kind::backward, rnn_direction::unidirectional_left2right, any.srcLayer, any.srcIter,
                                             any.weightsLayer, any.weightsIter, any.bias, any.dstLayer, any.dstIter, any.srcLayer, any.srcIter,
                                             any.weightsLayer, any.weightsIter, any.bias, any.dstLayer, any.dstIter);
  lbr_gru_backward::primitive_desc backward(backwardDesc, eng, training);
  memory twLayer = reordered(wLayerPlain, training.weights_layer_desc(), eng, s), twIter = reordered(wIterPlain, training.weights_iter_desc(), eng, s);
  memory bwLayer = reordered(wLayerPlain, backward.weights_layer_desc(), eng, s), bwIter = reordered(wIterPlain, backward.weights_iter_desc(), eng, s);
  memory workspace(training.workspace_desc(), eng);
  memory diffSrcLayer(backward.diff_src_layer_desc(), eng), diffSrcIter(backward.diff_src_iter_desc(), eng);
  memory diffWLayer(backward.diff_weights_layer_desc(), eng), diffWIter(backward.diff_weights_iter_desc(), eng), diffBias(backward.diff_bias_desc(), eng);
  memory diffDstLayer = filled(backward.diff_dst_layer_desc(), eng, gen), diffDstIter = filled(backward.diff_dst_iter_desc(), eng, gen);
  std::unordered_map<int, memory> trainArgs{{DNNL_ARG_SRC_LAYER, srcLayer}, {DNNL_ARG_SRC_ITER, srcIter}, {DNNL_ARG_WEIGHTS_LAYER, twLayer},
                                            {DNNL_ARG_WEIGHTS_ITER, twIter}, {DNNL_ARG_BIAS, bias}, {DNNL_ARG_DST_LAYER, dstLayer},
                                            {DNNL_ARG_DST_ITER, dstIter}, {DNNL_ARG_WORKSPACE, workspace}};
  if (training.scratchpad_desc().get_size() > 0) trainArgs.insert({DNNL_ARG_SCRATCHPAD, memory(training.scratchpad_desc(), eng)});
  std::unordered_map<int, memory> backArgs{{DNNL_ARG_SRC_LAYER, srcLayer}, {DNNL_ARG_SRC_ITER, srcIter}, {DNNL_ARG_WEIGHTS_LAYER, bwLayer},
                                           {DNNL_ARG_WEIGHTS_ITER, bwIter}, {DNNL_ARG_BIAS, bias}, {DNNL_ARG_DST_LAYER, dstLayer},
                                           {DNNL_ARG_DST_ITER, dstIter}, {DNNL_ARG_WORKSPACE, workspace}, {DNNL_ARG_DIFF_SRC_LAYER, diffSrcLayer},
                                           {DNNL_ARG_DIFF_SRC_ITER, diffSrcIter}, {DNNL_ARG_DIFF_WEIGHTS_LAYER, diffWLayer},
                                           {DNNL_ARG_DIFF_WEIGHTS_ITER, diffWIter}, {DNNL_ARG_DIFF_BIAS, diffBias},
                                           {DNNL_ARG_DIFF_DST_LAYER, diffDstLayer}, {DNNL_ARG_DIFF_DST_ITER, diffDstIter}};
  if (backward.scratchpad_desc().get_size() > 0) backArgs.insert({DNNL_ARG_SCRATCHPAD, memory(backward.scratchpad_desc(), eng)});
  lbr_gru_forward trainForward(training);
  lbr_gru_backward trainBackward(backward);
  auto fbStats = measure(c.fbWarmup, c.fbRepeats, [&] {
    // oneDNN accumulates weight gradients: zero them each pass, as an optimizer step would.
    for (memory* m : {&diffWLayer, &diffWIter, &diffBias}) std::fill_n(static_cast<char*>(m->get_data_handle()), m->get_desc().get_size(), 0);
    trainForward.execute(s, trainArgs);
    trainBackward.execute(s, backArgs);
    s.wait();
  });
  printStats(out, c.name, "forwardBackward", fbStats, first);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    engine eng(engine::kind::cpu, 0);
    stream s(eng);
    std::ostringstream results;
    bool first = true;
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg == "--step" && i + 1 < argc) {
        auto f = split(argv[++i], ':');  // name:input:hidden:warmup:repeats
        if (f.size() != 5) throw std::runtime_error("--step wants name:input:hidden:warmup:repeats, got " + std::string(argv[i]));
        Scenario c{f[0], 1, 1, std::stol(f[1]), std::stol(f[2]), 1, std::stoi(f[3]), std::stoi(f[4]), 0, 0};
        runScenario(c, eng, s, results, first, false);
        continue;
      }
      auto f = split(arg, ':');
      if (f.size() != 10) throw std::runtime_error("a scenario is name:seq:batch:input:hidden:layers:fw:fr:bw:br, got " + arg);
      Scenario c{f[0], std::stol(f[1]), std::stol(f[2]), std::stol(f[3]), std::stol(f[4]), std::stol(f[5]),
                 std::stoi(f[6]), std::stoi(f[7]), std::stoi(f[8]), std::stoi(f[9])};
      runScenario(c, eng, s, results, first, true);
    }
    const dnnl_version_t* v = dnnl_version();
    const char* threads = std::getenv("OMP_NUM_THREADS");
    std::printf("{\"onednn\":\"%d.%d.%d\",\"threads\":%s,\"results\":[%s]}\n", v->major, v->minor, v->patch, threads ? threads : "null",
                results.str().c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "onednn_gru: %s\n", e.what());
    return 1;
  }
}
