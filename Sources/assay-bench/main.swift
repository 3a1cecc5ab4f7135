// Benchmarks print one JSON object per measurement.
LanguageBenchmarks.run { name, value, unit in
    print("{\"name\": \"\(name)\", \"value\": \(value), \"unit\": \"\(unit)\"}")
}
