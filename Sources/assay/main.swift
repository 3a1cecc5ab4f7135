// Placeholder until the CLI lands.
print("assay")
