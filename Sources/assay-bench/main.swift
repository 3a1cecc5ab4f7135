// Machine-readable benchmark output: one JSON object per line.
TensorBenchmarks.run { name, value, unit in
    print("{\"name\": \"\(name)\", \"value\": \(value), \"unit\": \"\(unit)\"}")
}
