import AssayNN
import AssaySupport

/// The reference network: conv3x3 32 → ReLU → maxpool 2 → conv3x3 64 →
/// ReLU → maxpool 2 → linear 128 (→ ReLU) → linear 10, on 28x28x1.
func makeSmallCNN(seed: UInt64) -> Sequential {
    var rng = SeededRandom(seed: seed)
    return Sequential(named: [
        ("conv1", Conv2d(1, 32, kernel: 3, padding: 1, rng: &rng)),
        ("relu1", ReLU()),
        ("pool1", MaxPool2d(kernel: 2)),
        ("conv2", Conv2d(32, 64, kernel: 3, padding: 1, rng: &rng)),
        ("relu2", ReLU()),
        ("pool2", MaxPool2d(kernel: 2)),
        ("flatten", Flatten()),
        ("fc1", Linear(64 * 7 * 7, 128, rng: &rng)),
        ("relu3", ReLU()),
        ("fc2", Linear(128, 10, rng: &rng)),
    ])
}

/// One pass of Adam over `data` in shuffled mini-batches; returns the final loss.
@discardableResult
func trainOneEpoch(_ model: Module, on data: FashionMNISTFixture, limit: Int? = nil, batchSize: Int = 64,
                   learningRate: Float = 1e-3, seed: UInt64) -> Float {
    model.train()
    let optimizer = Adam(model.parameters, learningRate: learningRate)
    var rng = SeededRandom(seed: seed)
    let order = Array(rng.permutation(data.count).prefix(limit ?? data.count))
    var lastLoss: Float = 0
    var start = 0
    while start < order.count {
        let batch = Array(order[start..<min(start + batchSize, order.count)])
        var pixels = [Float](repeating: 0, count: batch.count * 784)
        for (row, index) in batch.enumerated() {
            for p in 0..<784 { pixels[row * 784 + p] = data.images[index * 784 + p] }
        }
        let x = Tensor(pixels, shape: [batch.count, 1, 28, 28])
        optimizer.zeroGrad()
        let loss = crossEntropy(model(x), targets: batch.map { data.labels[$0] })
        loss.backward()
        optimizer.step()
        lastLoss = loss.item
        start += batchSize
    }
    return lastLoss
}

/// Fraction of `data` classified correctly, in evaluation mode without gradients.
func accuracy(_ model: Module, on data: FashionMNISTFixture, batchSize: Int = 500) -> Double {
    model.eval()
    var correct = 0
    Autograd.withoutGradients {
        var start = 0
        while start < data.count {
            let n = min(batchSize, data.count - start)
            let x = Tensor(Array(data.images[(start * 784)..<((start + n) * 784)]), shape: [n, 1, 28, 28])
            let logits = model(x)
            for row in 0..<n {
                let scores = logits.data[(row * 10)..<(row * 10 + 10)]
                let predicted = scores.indices.max { scores[$0] < scores[$1] }! - row * 10
                if predicted == data.labels[start + row] { correct += 1 }
            }
            start += n
        }
    }
    return Double(correct) / Double(data.count)
}
