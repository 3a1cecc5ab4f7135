import AssayEngine
import Foundation

/// Small operators for executor tests: their outputs depend only on their
/// parameters and inputs, so a Slurm run and a local run must agree bit for bit.
enum TestOperators {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static let all: [String: any StageOperator] = [
        // Writes its parameters.
        "emit": ClosureOperator { node, _, context in
            try Data(node.parameters).write(to: context.output(named: "out"))
            return StageResult(metrics: ["bytes": Double(node.parameters.count)])
        },
        // Concatenates its inputs in slot order, then its parameters.
        "join": ClosureOperator { node, inputs, context in
            var data = Data()
            for slot in inputs.keys.sorted() { data.append(try inputs[slot]!.read()) }
            data.append(contentsOf: node.parameters)
            try data.write(to: context.output(named: "out"))
            return StageResult()
        },
        // Says something on stderr, then fails.
        "fail": ClosureOperator { node, _, _ in
            FileHandle.standardError.write(Data("fail operator: about to fail\n".utf8))
            throw Failure(description: "deliberate failure of \(node.id)")
        },
        // Runs for up to two minutes unless cancelled.
        "slow": ClosureOperator { _, _, context in
            for _ in 0..<1_200 {
                try context.checkCancelled()
                Thread.sleep(forTimeInterval: 0.1)
            }
            try Data("slow".utf8).write(to: context.output(named: "out"))
            return StageResult()
        },
    ]

    static func node(_ id: String, _ operatorName: String, _ parameters: String, inputs: [String] = [], resources: [String: String] = [:]) -> PlanNode {
        PlanNode(
            id: id, operatorName: operatorName, parametersJSON: parameters,
            inputs: inputs.enumerated().map { PlanInput(slot: "in\($0.offset)", node: $0.element, output: "out") },
            outputs: ["out"], resources: resources)
    }
}
