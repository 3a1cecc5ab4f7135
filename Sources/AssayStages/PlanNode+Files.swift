import AssayEngine

extension PlanNode {
    /// Where the file or folder the checker declared for parameter `field` lies (`model.weights`,
    /// `attack.objective.proxpulse.target`): the planner hashed its content into the stage's key and
    /// recorded its location, so an operator reads exactly that file and never resolves a path again.
    func file(_ field: String) throws -> String {
        guard let location = locals["path:" + field] else {
            throw StageError(stage: id, path: field, "no file was declared for `\(field)`", help: "rerun `assay check`; the plan is incomplete")
        }
        return location
    }
}
