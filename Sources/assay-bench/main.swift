// Placeholder until the benchmarks land.
print("{}")
