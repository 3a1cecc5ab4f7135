extension AttackOperator {
    /// The parameters of `attack`: the attack declaration (`attacks:`) inlined under `attack`.
    struct Parameters: Decodable {
        var attack: Attack

        /// `model` and the data of `objective` and `preserve` are inputs.
        struct Attack: Decodable {
            var unit: NetworkUnit
            var objective: Objective
            var preserve: Preserve
            var alpha: Double
            var steps: Int
            var lr: Double
            var batchSize: Int
            var seed: UInt64
        }

        /// What the manipulation aims for: a change of the unit's natural top-k set, or breaking the
        /// circuit of the head unit (its `top-m` channels per layer).
        enum Objective: Decodable {
            case ranking(RankingGoal, top: Int)
            case circuit(topM: Int)

            /// The name written in the experiment, which also names the slots of its inputs.
            var kind: String {
                switch self {
                case .ranking(.pushDown, _): return "push-down"
                case .ranking(.pushUp, _): return "push-up"
                case .ranking(.fairwashing, _): return "fairwashing"
                case .ranking(.proxpulse, _): return "proxpulse"
                case .circuit: return "circuit"
                }
            }

            private struct Ranking: Decodable { var top: Int }
            /// `target` is a path as written; the operator reads the file the checker declared for it (``PlanNode/file(_:)``).
            private struct ProxPulse: Decodable { var top: Int; var target: String; var radius: Double }
            private struct Circuit: Decodable { var topM: Int }

            init(from decoder: Decoder) throws {
                let (kind, body) = try decoder.variant()
                switch kind {
                case "push-down": self = .ranking(.pushDown, top: try Ranking(from: body).top)
                case "push-up": self = .ranking(.pushUp, top: try Ranking(from: body).top)
                case "fairwashing": self = .ranking(.fairwashing, top: try Ranking(from: body).top)
                case "proxpulse":
                    let p = try ProxPulse(from: body)
                    self = .ranking(.proxpulse(radius: p.radius), top: p.top)
                case "circuit": self = .circuit(topM: try Circuit(from: body).topM)
                default: throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown objective `\(kind)`"))
                }
            }
        }

        /// How the natural top-k set changes: pushed down, replaced by decoys, the concept hidden,
        /// or (ProxPulse) pushed down while the synthetic image moves towards the target image.
        enum RankingGoal {
            case pushDown, pushUp, fairwashing
            case proxpulse(radius: Double)
        }

        /// The term that keeps the model's behaviour: distillation at a temperature, KL to the
        /// original model, or cross-entropy on the labels.
        enum Preserve: Decodable {
            case distill(temperature: Double)
            case kl, ce

            var kind: String {
                switch self {
                case .distill: return "distill"
                case .kl: return "kl"
                case .ce: return "ce"
                }
            }

            private struct Distill: Decodable { var temperature: Double }

            init(from decoder: Decoder) throws {
                let (kind, body) = try decoder.variant()
                switch kind {
                case "distill": self = .distill(temperature: try Distill(from: body).temperature)
                case "kl": self = .kl
                case "ce": self = .ce
                default: throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown preserve term `\(kind)`"))
                }
            }
        }
    }
}
