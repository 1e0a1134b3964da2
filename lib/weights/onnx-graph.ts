/**
 * An ONNX graph being built: nodes in order, float32 initializers, inputs and outputs with named
 * (symbolic) dimensions, serialised with the maintained `onnx-proto` classes (protobufjs) as IR
 * version 8, which Debian's onnx checker and onnxruntime accept. Names are made unique here.
 */
import { onnx } from 'onnx-proto';

import { ArgumentError } from '../errors';

export type Dim = number | string;
/** An attribute: an int, a string, strings, or ints / floats spelled out (ONNX tells them apart). */
export type Attribute = number | string | string[] | { ints: number[] } | { floats: number[] };

const IR_VERSION = 8;
const ELEMENT = { float32: onnx.TensorProto.DataType.FLOAT, int32: onnx.TensorProto.DataType.INT32, int64: onnx.TensorProto.DataType.INT64 } as const;
export type ElementType = keyof typeof ELEMENT;

function valueInfo(name: string, type: ElementType, dims: readonly Dim[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: ELEMENT[type], shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

function attribute(name: string, value: Attribute): onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return { name, type: T.INT, i: value };
  if (Array.isArray(value)) return { name, type: T.STRINGS, strings: value.map((v) => new TextEncoder().encode(v)) };
  if ('ints' in value) return { name, type: T.INTS, ints: value.ints };
  return { name, type: T.FLOATS, floats: value.floats };
}

export class OnnxGraph {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly used = new Set<string>();

  constructor(private readonly name: string) {}

  /** `base`, or `base_1`, `base_2`, ... if taken. */
  unique(base: string): string {
    let name = base, n = 0;
    while (this.used.has(name)) name = `${base}_${++n}`;
    this.used.add(name);
    return name;
  }

  input(name: string, type: ElementType, dims: readonly Dim[]): string {
    const n = this.unique(name);
    this.inputs.push(valueInfo(n, type, dims));
    return n;
  }

  output(value: string, name: string, type: ElementType, dims: readonly Dim[]): void {
    // A graph output is a value by name: rename through an Identity so the caller picks it.
    const n = this.unique(name);
    this.node('Identity', [value], {}, n);
    this.outputs.push(valueInfo(n, type, dims));
  }

  /** A float32 initializer (little-endian raw data) of `dims`. */
  constant(name: string, values: ArrayLike<number>, dims: readonly number[]): string {
    const n = this.unique(name);
    const count = dims.reduce((a, b) => a * b, 1);
    if (values.length !== count) throw new ArgumentError(`ONNX initializer ${n}: ${values.length} values for dims [${dims.join(', ')}]`);
    const raw = new Uint8Array(count * 4);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < count; i++) view.setFloat32(i * 4, values[i], true);
    this.initializers.push({ name: n, dims: [...dims], dataType: ELEMENT.float32, rawData: raw });
    return n;
  }

  /** An int64 initializer (shapes, axes). */
  int64s(name: string, values: readonly number[]): string {
    const n = this.unique(name);
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    this.initializers.push({ name: n, dims: [values.length], dataType: ELEMENT.int64, rawData: raw });
    return n;
  }

  /** Appends a node; returns its output names (`outputs` gives them, or one is made from the op). */
  node(op: string, inputs: readonly string[], attributes: Record<string, Attribute> = {}, ...outputs: string[]): string[] {
    const names = outputs.length > 0 ? outputs : [this.unique(op.toLowerCase())];
    for (const o of outputs) this.used.add(o);
    this.nodes.push({ opType: op, name: this.unique(`${op}_node`), input: [...inputs], output: names,
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)) });
    return names;
  }

  /** The serialised model. */
  encode(opset: number, producer: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION, producerName: producer, opsetImport: [{ domain: '', version: opset }],
      graph: { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
