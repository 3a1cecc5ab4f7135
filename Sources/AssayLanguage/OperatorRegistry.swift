import AssaySupport

/// The single source of truth for what stages exist and what they take.
///
/// The checker validates stage bodies against these signatures, the JSON
/// Schema generator writes `grammar/assay.schema.json` from them, and the
/// planner and executor read names, versions and outputs from them.
public struct OperatorRegistry: Sendable {
    public let operators: [OperatorSignature]
    /// Schemas of the declarations stages can inline (`attacks:`, `segmentation:`, `groups:`).
    public let declarations: [String: [ParameterSchema]]
    /// Per-stage resources (`resources:` on a stage or at the top level).
    public let resources: [ParameterSchema]
    /// The top-level `executor:` block.
    public let executor: [ParameterSchema]

    public func signature(_ name: String) -> OperatorSignature? { operators.first { $0.name == name } }

    /// Operators a user may write under `stages:`, sorted by name.
    public var stageOperators: [OperatorSignature] { operators.filter { !$0.isImplicit }.sorted { $0.name < $1.name } }

    /// The registry of Assay language version 1.
    public static let standard = OperatorRegistry(
        operators: userOperators + dataOperators,
        declarations: ["attack": attackSchema, "segmentation-target": segmentationTargetSchema, "groups": groupsSchema],
        resources: resourceSchema,
        executor: executorSchema)

    // MARK: Shared parameters

    static let seed = ParameterSchema("seed", .int, default: 0, min: 0, doc: "Seed of every random choice the stage makes.")
    static let batchSize = ParameterSchema("batch-size", .int, default: 64, min: 1, doc: "Examples per mini-batch.")
    static let epochs = ParameterSchema("epochs", .int, default: 10, min: 1, doc: "Passes over the training data.")
    static let optimizer = ParameterSchema("optimizer", .enumeration(["adam", "sgd"]), default: "adam", doc: "Optimiser.")
    static let learningRate = ParameterSchema("lr", .double, default: 1e-3, min: 0, exclusiveMin: true, doc: "Learning rate.")
    static let momentum = ParameterSchema("momentum", .double, default: 0.9, min: 0, max: 1, doc: "SGD momentum (ignored by Adam).")
    static let weightDecay = ParameterSchema("weight-decay", .double, default: 0.0, min: 0, doc: "L2 weight decay.")
    static let top = ParameterSchema("top", .int, default: 9, min: 1, doc: "Size k of the natural top-k set.")

    static let synthetic: [ParameterSchema] = [
        ParameterSchema("steps", .int, default: 256, min: 1, doc: "Gradient-ascent steps."),
        ParameterSchema("lr", .double, default: 0.05, min: 0, exclusiveMin: true, doc: "Step size."),
        ParameterSchema("l2", .double, default: 1e-4, min: 0, doc: "L2 penalty on the image."),
        ParameterSchema("tv", .double, default: 1e-3, min: 0, doc: "Total-variation penalty."),
        ParameterSchema("jitter", .int, default: 2, min: 0, doc: "Random translation in pixels per step."),
        ParameterSchema("parameterization", .enumeration(["pixel", "fourier"]), default: "fourier", doc: "Optimise pixels or a decorrelated Fourier basis."),
        ParameterSchema("restarts", .int, default: 1, min: 1, doc: "Independent starts from noise."),
        ParameterSchema("blur", .double, default: 0.0, min: 0, max: 1, doc: "Blur weight applied to pixel parameters every 4 steps."),
        ParameterSchema("scale", .double, default: 0.05, min: 0, max: 0.5, doc: "Random rescaling by ± this fraction per step."),
        ParameterSchema("rotation", .double, default: 5.0, min: 0, doc: "Random rotation by ± this many degrees per step."),
        seed,
    ]

    // MARK: Stage operators

    static let userOperators: [OperatorSignature] = [
        OperatorSignature(
            name: "train", version: 2, doc: "Trains a classifier declared under `models:` with softmax cross-entropy.",
            parameters: [
                ParameterSchema("model", .declaration(.model), required: true, doc: "The model declaration to train."),
                ParameterSchema("data", .reference(.dataset, many: false), required: true, doc: "The training split, e.g. `fmnist.train`."),
                ParameterSchema("val", .reference(.dataset, many: false), doc: "A split evaluated after each epoch."),
                epochs, batchSize, optimizer, learningRate, momentum, weightDecay,
                ParameterSchema("augment", .enumeration(["none", "flip", "crop-flip"]), default: "none", doc: "Data augmentation."),
                seed,
            ],
            outputs: [OutputSlot("model", .trainedModel, doc: "The trained weights."), OutputSlot("metrics", .metrics, doc: "Loss and accuracy per epoch.")], sharedCode: [.optimizer, .convolution]),
        OperatorSignature(
            name: "evaluate", version: 2, doc: "Evaluates a trained model: accuracy, and per-group and worst-group accuracy when `groups` is given.",
            parameters: [
                ParameterSchema("model", .reference(.trainedModel, many: false), required: true, doc: "A stage that outputs a trained model."),
                ParameterSchema("data", .reference(.dataset, many: false), required: true, doc: "The split to evaluate on."),
                ParameterSchema("groups", .reference(.groups, many: false), doc: "Group split for per-group accuracy."),
                batchSize,
            ],
            outputs: [OutputSlot("metrics", .metrics, doc: "mean-accuracy, worst-group-accuracy, per-group accuracy.")], sharedCode: [.convolution]),
        OperatorSignature(
            name: "features", version: 2, doc: "Extracts per-layer features, pooled to about `pool.target` dimensions per layer.",
            parameters: [
                ParameterSchema("model", .reference(.trainedModel, many: false), required: true, doc: "The trained model."),
                ParameterSchema("data", .reference(.dataset, many: true), required: true, doc: "Splits to extract features of (fit on the first, evaluate on the others)."),
                ParameterSchema("layers", .list(.string), default: ["penultimate"], minCount: 1,
                                doc: "Layer names (an unnamed layer is named after the layer it follows: `fc1.relu`), indices or module paths; `all`; or `penultimate`: the input of the final linear layer (post-activation, as in DFR)."),
                ParameterSchema("pool", .record([
                    ParameterSchema("target", .int, default: 1024, min: 1, doc: "Target dimensions T per layer: global pooling if C ≥ T, else p×p patches with p = ⌊√(T/C)⌋."),
                ]), default: ["target": 1024], doc: "Pooling of activation maps."),
                ParameterSchema("normalize", .enumeration(["l2", "standardize", "none"]), default: "standardize", doc: "Per-layer block normalisation."),
                batchSize,
            ],
            outputs: [OutputSlot("features", .features, doc: "Feature matrices per split, with layer blocks.")], sharedCode: [.convolution]),
        OperatorSignature(
            name: "select", version: 3,
            doc: "Head2Toe feature selection: a group-lasso linear head on group-balanced data keeps the top features; the rows it fits on are held out of its output.",
            parameters: [
                ParameterSchema("features", .reference(.features, many: false), required: true, doc: "A `features` stage."),
                ParameterSchema("groups", .reference(.groups, many: false), required: true, doc: "Group split used to balance the data."),
                ParameterSchema("method", .enumeration(["head2toe"]), default: "head2toe", doc: "Selection method."),
                ParameterSchema("keep", .double, default: 0.1, min: 0, max: 1, exclusiveMin: true, doc: "Fraction of features kept."),
                ParameterSchema("fit-fraction", .double, default: 0.5, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true,
                                doc: "Share of the first split (stratified by group, seeded) the head is fitted on; the rest is the first split of the output, held out for `retrain-last-layer`."),
                ParameterSchema("lambda", .double, default: 0.01, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true,
                                doc: "Group-lasso strength λ in λ·Σ_j ‖W_j‖₂, as a fraction of λ_max (the smallest λ that zeroes every feature)."),
                ParameterSchema("epochs", .int, default: 50, min: 1, doc: "Most FISTA iterations of the selection head (each a full pass; the step is 1/L from a Lipschitz bound)."),
                ParameterSchema("balance", .enumeration(["subsample", "reweight", "none"]), default: "subsample",
                                doc: "Balance groups by subsampling each to the smallest, or weight examples inversely to their group's size (`none`: neither). Default: the `balance` of the `groups` declaration."),
                seed,
            ],
            outputs: [OutputSlot("features", .features, doc: "The kept features; the first split holds only the rows not used to fit the selection."),
                      OutputSlot("metrics", .metrics, doc: "Scores, kept count, and the examples fitted on and held out.")],
            retired: ["lr": "the selection head is fitted by FISTA, whose step 1/L comes from a Lipschitz bound of the loss, so it takes no learning rate"], sharedCode: [.logisticSolver]),
        OperatorSignature(
            name: "retrain-last-layer", version: 2,
            doc: "DFR: L1 logistic regression on group-balanced held-out features; C tuned on validation halves; coefficients averaged over fits.",
            parameters: [
                ParameterSchema("features", .reference(.features, many: false), required: true, doc: "A `features` or `select` stage (of a `select`, only the rows it did not fit on)."),
                ParameterSchema("groups", .reference(.groups, many: false), required: true, doc: "Group split for balancing and worst-group accuracy."),
                ParameterSchema("layers", .list(.string), default: [], doc: "Restrict to these layers' blocks (empty: all blocks in the features)."),
                ParameterSchema("penalty", .enumeration(["l1", "l2"]), default: "l1", doc: "Regulariser of the logistic regression."),
                ParameterSchema("c-grid", .list(.double), default: [1.0, 0.7, 0.3, 0.1, 0.07, 0.03, 0.01], minCount: 1, doc: "Inverse penalty strengths C tried."),
                ParameterSchema("fits", .int, default: 20, min: 1, doc: "Balanced subsamples whose coefficients are averaged (`balance: subsample`; `reweight` fits once)."),
                ParameterSchema("balance", .enumeration(["subsample", "reweight", "none"]), default: "subsample",
                                doc: "Balance groups by subsampling each to the smallest, or fit on every example weighted inversely to its group's size (`none`: unweighted, a baseline). Default: the `balance` of the `groups` declaration."),
                seed,
            ],
            outputs: [OutputSlot("head", .head, doc: "The retrained linear head."), OutputSlot("metrics", .metrics, doc: "mean and worst-group accuracy on the evaluation split.")], sharedCode: [.logisticSolver]),
        OperatorSignature(
            name: "visualize", version: 3, doc: "Feature visualisations of a unit: natural (top-k images) and/or synthetic (activation maximisation).",
            parameters: [
                ParameterSchema("model", .reference(.trainedModel, many: false), required: true, doc: "The trained model."),
                ParameterSchema("unit", .unit, doc: "The unit, `layer[channel]`; may come from `like`."),
                ParameterSchema("like", .reference(.visualization, many: false), doc: "Reuse the unit and settings of another `visualize` stage."),
                ParameterSchema("natural", .record([
                    top,
                    ParameterSchema("over", .reference(.dataset, many: false), required: true, doc: "The split ranked by activation."),
                ]), doc: "Top-k natural images."),
                ParameterSchema("synthetic", .record(synthetic), doc: "Synthetic image by gradient ascent from noise."),
            ],
            outputs: [
                OutputSlot("visualization", .visualization, doc: "Activation ranking, top-k indices and synthetic images."),
                OutputSlot("natural.png", .image, doc: "Grid of the top-k natural images."),
                OutputSlot("synthetic.png", .image, doc: "The synthetic images, one per restart."),
            ], sharedCode: [.optimizer, .convolution]),
        OperatorSignature(
            name: "attack", version: 3, doc: "Fine-tunes a model so that interpretations change while behaviour is preserved.",
            parameters: [ParameterSchema("attack", .declaration(.attack), required: true, doc: "The attack declared under `attacks:`.")],
            outputs: [OutputSlot("model", .trainedModel, doc: "The manipulated model."), OutputSlot("metrics", .metrics, doc: "Losses and accuracy change.")],
            shorthand: "attack", sharedCode: [.optimizer, .convolution]),
        OperatorSignature(
            name: "circuit", version: 2, doc: "Extracts a visual circuit: top-m channels per layer by attribution to a head unit.",
            parameters: [
                ParameterSchema("model", .reference(.trainedModel, many: false), required: true, doc: "The trained model."),
                ParameterSchema("head", .unit, required: true, doc: "The head unit, `layer[channel]`."),
                ParameterSchema("data", .reference(.dataset, many: false), required: true, doc: "Examples the attribution is averaged over."),
                ParameterSchema("top-m", .int, default: 3, min: 1, doc: "Channels kept per layer."),
                ParameterSchema("layers", .list(.string), default: ["all"], minCount: 1, doc: "Layers searched (`all`: every conv layer before the head)."),
                ParameterSchema("attribution", .enumeration(["activation-x-gradient", "gradient"]), default: "activation-x-gradient", doc: "Channel score."),
                ParameterSchema("samples", .int, default: 256, min: 1, doc: "Examples used."),
            ],
            outputs: [OutputSlot("circuit", .circuit, doc: "Nodes, edges and attributions.")], sharedCode: [.convolution]),
        OperatorSignature(
            // 2: loads `weights:` / `encoder-weights:` and normalises inputs as the weights expect (1 ignored both).
            name: "segmentation-train", version: 3, doc: "Trains a segmentation model with per-pixel softmax cross-entropy.",
            parameters: [
                ParameterSchema("model", .declaration(.model), required: true, doc: "The model declaration (e.g. `squeeze-segnet`)."),
                ParameterSchema("data", .reference(.dataset, many: false), required: true, doc: "The training split of a segmentation data set."),
                ParameterSchema("target", .declaration(.segmentationTarget), required: true, doc: "The segmentation target."),
                epochs, batchSize, optimizer, learningRate, momentum, weightDecay, seed,
                ParameterSchema("lr-step", .int, default: 0, min: 0, doc: "Multiply the learning rate by `lr-gamma` every this many epochs (0: constant)."),
                ParameterSchema("lr-gamma", .double, default: 0.1, min: 0, max: 1, exclusiveMin: true, doc: "Step-decay factor."),
            ],
            outputs: [OutputSlot("model", .trainedModel, doc: "The trained weights."), OutputSlot("metrics", .metrics, doc: "Loss per epoch.")], sharedCode: [.optimizer, .convolution]),
        OperatorSignature(
            // 2: normalises inputs as the model declares (1 fed weighted models raw [0, 1] pixels).
            name: "segmentation-evaluate", version: 3, doc: "Global pixel accuracy, class-average accuracy and mean IoU over a confusion matrix.",
            parameters: [
                ParameterSchema("model", .reference(.trainedModel, many: false), required: true, doc: "A `segmentation-train` stage."),
                ParameterSchema("data", .reference(.dataset, many: false), required: true, doc: "The split to evaluate on."),
                ParameterSchema("target", .declaration(.segmentationTarget), required: true, doc: "The segmentation target."),
                batchSize,
            ],
            outputs: [
                OutputSlot("metrics", .metrics, doc: "global-accuracy, class-accuracy, mean-iou, per-class IoU."),
                OutputSlot("overlays.png", .image, doc: "Input | prediction | truth for the first scenes."),
            ], sharedCode: [.convolution]),
        OperatorSignature(
            name: "report", version: 2, doc: "A table of metrics across stages.",
            parameters: [
                ParameterSchema("compare", .reference(.metrics, many: true), required: true, doc: "Stages whose metrics are tabulated."),
                ParameterSchema("metrics", .list(.enumeration(reportMetrics)), default: ["mean-accuracy", "worst-group-accuracy"], minCount: 1, doc: "Columns."),
            ],
            outputs: [OutputSlot("report", .report, doc: "The table.")]),
        OperatorSignature(
            name: "compare", version: 2, doc: "How much visualisations changed: rank correlation and overlap of top-k sets, synthetic image distance.",
            parameters: [
                ParameterSchema("before", .reference(.visualization, many: false), required: true, doc: "Visualisation of the original model."),
                ParameterSchema("after", .reference(.visualization, many: false), required: true, doc: "Visualisation of the manipulated model."),
                ParameterSchema("metrics", .list(.enumeration(["kendall-tau", "top-k-overlap", "synthetic-distance", "class-change"])),
                                default: ["kendall-tau", "top-k-overlap"], minCount: 1, doc: "Measures."),
            ],
            outputs: [
                OutputSlot("metrics", .metrics, doc: "The measures."),
                OutputSlot("before-after.png", .image, doc: "Natural top-k and synthetic images before and after, side by side."),
            ]),
        OperatorSignature(
            name: "compare-circuits", version: 1, doc: "How much a circuit changed: Jaccard overlap of nodes and Kendall τ of attributions.",
            parameters: [
                ParameterSchema("before", .reference(.circuit, many: false), required: true, doc: "Circuit of the original model."),
                ParameterSchema("after", .reference(.circuit, many: false), required: true, doc: "Circuit of the manipulated model."),
            ],
            outputs: [OutputSlot("metrics", .metrics, doc: "jaccard, kendall-tau.")]),
    ]

    static let reportMetrics = [
        "mean-accuracy", "worst-group-accuracy", "group-accuracy", "accuracy-delta", "kendall-tau", "top-k-overlap",
        "synthetic-distance", "jaccard", "global-accuracy", "class-accuracy", "mean-iou", "loss",
    ]

    // MARK: Implicit data operators

    static let perSplitCount = ParameterType.record([
        ParameterSchema("train", .int, min: 1, doc: "Examples in `train`."),
        ParameterSchema("val", .int, min: 1, doc: "Examples in `val`."),
        ParameterSchema("test", .int, min: 1, doc: "Examples in `test`."),
    ])

    static let dataOperators: [OperatorSignature] = [
        OperatorSignature(
            name: "load-fashion-mnist", version: 1, doc: "Fashion-MNIST from its four IDX files (gzipped or not): splits `train` (60,000) and `test` (10,000), 1×28×28, 10 classes.",
            parameters: [
                ParameterSchema("path", .path(mustExist: true), default: "/usr/share/datasets/fashion-mnist", doc: "Folder holding the IDX files."),
                ParameterSchema("limit", perSplitCount, doc: "Keep only the first n examples of a split (CI-sized runs)."),
            ],
            outputs: [OutputSlot("train", .dataset, doc: "60,000 examples."), OutputSlot("test", .dataset, doc: "10,000 examples.")],
            isImplicit: true),
        OperatorSignature(
            name: "load-image-folder", version: 3, doc: "Images listed in a metadata CSV (Waterbirds / CelebA layout): a file column, a label column, a split column and attribute columns.",
            parameters: [
                ParameterSchema("root", .path(mustExist: true), required: true, doc: "Folder with the images and the CSV."),
                ParameterSchema("metadata", .string, default: "metadata.csv", doc: "CSV file name, relative to `root`."),
                ParameterSchema("image-column", .string, default: "img_filename", doc: "Column with image paths relative to `root`."),
                ParameterSchema("label-column", .string, default: "y", doc: "Column with integer labels."),
                ParameterSchema("split-column", .string, default: "split", doc: "Column with split codes."),
                ParameterSchema("splits", .record([
                    ParameterSchema("train", .string, default: "0", doc: "Code of the training split."),
                    ParameterSchema("val", .string, default: "1", doc: "Code of the validation split."),
                    ParameterSchema("test", .string, default: "2", doc: "Code of the test split."),
                ]), default: ["train": "0", "val": "1", "test": "2"], doc: "Split codes in the split column."),
                ParameterSchema("attributes", .list(.string), default: [], doc: "Columns holding binary attributes (e.g. `place`)."),
                ParameterSchema("classes", .list(.string), required: true, doc: "Class names, in label order."),
                ParameterSchema("size", .list(.int), default: [64, 64], max: 65536, doc: "Images are resized to [H, W]."),
                ParameterSchema("channels", .int, default: 3, min: 1, max: 3, doc: "Grey (1) or RGB (3)."),
            ],
            outputs: [OutputSlot("train", .dataset, doc: ""), OutputSlot("val", .dataset, doc: ""), OutputSlot("test", .dataset, doc: "")],
            isImplicit: true),
        OperatorSignature(
            name: "load-celeba", version: 1,
            doc: "CelebA from its own files: `img_align_celeba/`, `list_attr_celeba.txt` and `list_eval_partition.txt`. The label is the `target` attribute (classes `not-TARGET`, `TARGET`); each of `attributes` becomes a 0/1 attribute.",
            parameters: [
                ParameterSchema("root", .path(mustExist: true), required: true, doc: "Folder holding the images folder and the two listing files."),
                ParameterSchema("target", .string, required: true, doc: "The attribute that becomes the label, e.g. `Blond_Hair`."),
                ParameterSchema("attributes", .list(.string), default: [], doc: "Spurious attributes kept for groups, e.g. `[Male]`."),
                ParameterSchema("images", .string, default: .string(CelebAFormat.imageFolder), doc: "Images folder, relative to `root`."),
                ParameterSchema("attribute-file", .string, default: .string(CelebAFormat.attributeFile), doc: "Attribute listing, relative to `root`."),
                ParameterSchema("partition-file", .string, default: .string(CelebAFormat.partitionFile), doc: "Partition listing (0 train, 1 val, 2 test), relative to `root`."),
                ParameterSchema("crop", .list(.int), max: 65536, doc: "Centre crop [H, W] before resizing (the DFR recipe: [178, 178]); none if absent."),
                ParameterSchema("size", .list(.int), default: [224, 224], max: 65536, doc: "Images are resized to [H, W]."),
                ParameterSchema("channels", .int, default: 3, min: 1, max: 3, doc: "Grey (1) or RGB (3)."),
                ParameterSchema("limit", perSplitCount, doc: "Keep only the first n images of a split (CI-sized runs)."),
            ],
            outputs: [OutputSlot("train", .dataset, doc: ""), OutputSlot("val", .dataset, doc: ""), OutputSlot("test", .dataset, doc: "")],
            isImplicit: true),
        OperatorSignature(
            name: "load-camvid", version: 1, doc: "CamVid-style folders: `train`, `val`, `test` with images and `trainannot`, `valannot`, `testannot` with label PNGs.",
            parameters: [
                ParameterSchema("root", .path(mustExist: true), required: true, doc: "The data set folder."),
                ParameterSchema("classes", .list(.string), default: .list(camvidClasses.map { .string($0) }), minCount: 1, doc: "Class names in label order."),
                ParameterSchema("void", .int, default: 11, min: 0, doc: "Label value of void pixels."),
                ParameterSchema("size", .list(.int), default: [360, 480], max: 65536, doc: "Images are resized to [H, W]."),
            ],
            outputs: [OutputSlot("train", .dataset, doc: ""), OutputSlot("val", .dataset, doc: ""), OutputSlot("test", .dataset, doc: "")],
            isImplicit: true),
        OperatorSignature(
            name: "load-synthetic", version: 1, doc: "A seeded synthetic classification data set.",
            parameters: [
                ParameterSchema("generator", .enumeration(["blobs", "stripes", "gaussian"]), default: "blobs", doc: "What images look like per class."),
                ParameterSchema("classes", .int, default: 2, min: 2, doc: "Number of classes."),
                ParameterSchema("shape", .list(.int), default: [1, 16, 16], max: 65536, doc: "Sample shape [C, H, W]."),
                ParameterSchema("samples", perSplitCount, default: ["train": 1000, "test": 200], doc: "Examples per split."),
                ParameterSchema("noise", .double, default: 0.1, min: 0, doc: "Pixel noise standard deviation."),
                seed,
            ],
            outputs: [OutputSlot("train", .dataset, doc: ""), OutputSlot("test", .dataset, doc: "")],
            isImplicit: true),
        OperatorSignature(
            name: "compose-scenes", version: 1, doc: "Segmentation scenes: items pasted on a canvas; a pixel's label is its item's class where the item is above `threshold`, background elsewhere.",
            parameters: [
                ParameterSchema("items", .reference(.datasetSplits, many: false), required: true, doc: "The data set the items come from (split by split)."),
                ParameterSchema("per-canvas", .list(.int), default: [2, 4], max: 1024, doc: "Range [min, max] of items per scene."),
                ParameterSchema("canvas", .list(.int), default: [64, 64], max: 65536, doc: "Scene size [H, W]."),
                ParameterSchema("overlap", .enumeration(["allow", "avoid"]), default: "avoid", doc: "Whether items may overlap (later ones on top)."),
                ParameterSchema("background", .enumeration(["black", "noise", "texture"]), default: "texture", doc: "Canvas background."),
                ParameterSchema("threshold", .double, default: 0.2, min: 0, max: 1, doc: "Item intensity above which a pixel takes the item's class."),
                ParameterSchema("samples", perSplitCount, default: ["train": 2000, "test": 500], doc: "Scenes per split."),
                seed,
            ],
            outputs: [OutputSlot("train", .dataset, doc: ""), OutputSlot("test", .dataset, doc: "")],
            isImplicit: true),
        OperatorSignature(
            name: "derive", version: 1, doc: "A data set derived from another: relabelled, binary or class subset, with an injected spurious attribute.",
            parameters: [
                ParameterSchema("source", .reference(.datasetSplits, many: false), required: true, doc: "The data set derived from (`from:`)."),
                ParameterSchema("label", .variant([
                    "binary": .record([
                        ParameterSchema("positive", .list(.string), required: true, doc: "Classes mapped to label 1."),
                        ParameterSchema("names", .list(.string), default: ["negative", "positive"], doc: "Names of labels 0 and 1."),
                    ]),
                    "subset": .list(.string),
                    "relabel": .record([]),
                ]), doc: "How labels are derived."),
                ParameterSchema("attribute", .record([
                    ParameterSchema("name", .string, doc: "Attribute name used by groups (default: the kind)."),
                    ParameterSchema("kind", .enumeration(["tint", "border", "patch", "texture"]), required: true, doc: "What is injected."),
                    ParameterSchema("size", .int, default: 2, min: 1, doc: "Border width or patch size in pixels."),
                    ParameterSchema("correlation", .record([
                        ParameterSchema("train", .double, min: 0, max: 1, doc: "P(attribute = label) in `train`."),
                        ParameterSchema("val", .double, min: 0, max: 1, doc: "P(attribute = label) in `val`."),
                        ParameterSchema("test", .double, min: 0, max: 1, doc: "P(attribute = label) in `test`."),
                    ]), required: true, doc: "Per-split probability that the attribute agrees with the label."),
                ]), doc: "An injected spurious attribute."),
                seed,
            ],
            outputs: [OutputSlot("<split>", .dataset, doc: "One output per split of the source.")],
            isImplicit: true),
        OperatorSignature(
            name: "split", version: 1, doc: "New splits carved from existing ones, by size or fraction, seeded.",
            parameters: [
                ParameterSchema("source", .reference(.datasetSplits, many: false), required: true, doc: "The data set split."),
                ParameterSchema("splits", .record([]), required: true, doc: "New split name → {from, size | fraction}."),
                seed,
            ],
            outputs: [OutputSlot("<split>", .dataset, doc: "One output per resulting split.")],
            isImplicit: true),
        OperatorSignature(
            name: "group-split", version: 1, doc: "Groups = label × attributes, with counts and a seeded balanced subsample.",
            parameters: [ParameterSchema("source", .reference(.datasetSplits, many: false), required: true, doc: "The data set grouped.")] + groupsSchema.filter { $0.name != "data" },
            outputs: [OutputSlot("groups", .groups, doc: "Group index per example per split.")],
            isImplicit: true),
    ]

    public static let camvidClasses = [
        "sky", "building", "pole", "road", "pavement", "tree", "sign", "fence", "car", "pedestrian", "bicyclist", "void",
    ]

    // MARK: Declarations

    static let groupsSchema: [ParameterSchema] = [
        ParameterSchema("data", .string, required: true, doc: "The data set (a name under `datasets:`)."),
        ParameterSchema("by", .list(.string), default: ["label"], minCount: 1, doc: "`label` and attribute names; groups are their combinations."),
        ParameterSchema("balance", .enumeration(["none", "subsample", "reweight"]), default: "subsample",
                        doc: "Subsample every group to the smallest, or reweight; the `balance` of the `select` and `retrain-last-layer` stages that use these groups and do not give their own."),
        seed,
    ]

    /// Fields `groups:` declarations no longer take, with the reason.
    static let retiredGroupsFields = [
        "halves": "`retrain-last-layer` draws its own seeded tuning halves of the split it fits on, so precomputed halves of `val` had no effect",
    ]

    static let dataUse = ParameterSchema("over", .reference(.dataset, many: false), required: true, doc: "The split ranked by activation.")

    static let attackSchema: [ParameterSchema] = [
        ParameterSchema("model", .reference(.trainedModel, many: false), required: true, doc: "The trained model attacked."),
        ParameterSchema("unit", .unit, required: true, doc: "The unit whose interpretation is manipulated, `layer[channel]`; for `circuit`, the head unit whose circuit is broken."),
        ParameterSchema("objective", .variant([
            "push-down": .record([top, dataUse]),
            "push-up": .record([top, dataUse, ParameterSchema("decoy", .reference(.dataset, many: false), required: true, doc: "Images that should become the new top-k.")]),
            "fairwashing": .record([top, dataUse, ParameterSchema("concept", .reference(.dataset, many: false), required: true, doc: "Images of the concept to hide.")]),
            "proxpulse": .record([
                top, dataUse,
                ParameterSchema("target", .path(mustExist: true), required: true, doc: "Image the synthetic FV should converge to (its layout needs a unit that sees the whole input, e.g. a `linear` layer's neuron)."),
                ParameterSchema("radius", .double, default: 0.1, min: 0, doc: "Neighbourhood of the target rewarded too."),
            ]),
            "circuit": .record([
                ParameterSchema("top-m", .int, default: 3, min: 1, doc: "Top-attributed channels per layer (before `unit`, the head) suppressed."),
                dataUse,
            ]),
        ]), required: true, doc: "What the manipulation aims for."),
        ParameterSchema("preserve", .variant([
            "distill": .record([ParameterSchema("data", .reference(.dataset, many: false), required: true, doc: "Clean data for the term."), ParameterSchema("temperature", .double, default: 1.0, min: 0, exclusiveMin: true, doc: "Softmax temperature.")]),
            "kl": .record([ParameterSchema("data", .reference(.dataset, many: false), required: true, doc: "Clean data for the term.")]),
            "ce": .record([ParameterSchema("data", .reference(.dataset, many: false), required: true, doc: "Clean data for the term.")]),
        ]), required: true, doc: "Term keeping behaviour: distillation / KL to the original model, or cross-entropy on labels."),
        ParameterSchema("alpha", .double, default: 0.5, min: 0, max: 1, doc: "Weight α in (1−α)·L_preserve + α·L_manip."),
        ParameterSchema("steps", .int, default: 300, min: 1, doc: "Optimisation steps."),
        ParameterSchema("lr", .double, default: 1e-3, min: 0, exclusiveMin: true, doc: "Learning rate."),
        batchSize, seed,
    ]

    static let segmentationTargetSchema: [ParameterSchema] = [
        ParameterSchema("data", .string, required: true, doc: "The segmentation data set whose classes are predicted."),
        ParameterSchema("void", .string, doc: "A class name ignored by the loss and the metrics."),
        ParameterSchema("weights", .variant([
            "none": .record([]),
            "median-frequency": .record([]),
            "explicit": .list(.double),
        ]), default: "none", doc: "Class weights of the loss: none, median-frequency balancing (w_c = median(f)/f_c), or explicit."),
    ]

    static let resourceSchema: [ParameterSchema] = [
        ParameterSchema("cpus", .int, default: 1, min: 1, doc: "CPU cores."),
        ParameterSchema("memory", .memory, default: .int(4 << 30), doc: "Memory, e.g. `8GiB`."),
        ParameterSchema("time", .duration, default: 3600, doc: "Time limit, e.g. `2h`."),
        ParameterSchema("partition", .string, doc: "Slurm partition."),
        ParameterSchema("gpus", .int, default: 0, min: 0, doc: "GPUs."),
    ]

    static let executorSchema: [ParameterSchema] = [
        ParameterSchema("kind", .enumeration(["local", "slurm"]), default: "local", doc: "Where stages run."),
        ParameterSchema("jobs", .int, default: 1, min: 1, doc: "Stages run in parallel."),
        ParameterSchema("account", .string, doc: "Slurm account."),
        ParameterSchema("store", .string, doc: "The store folder (default `.assay/` beside the experiment)."),
    ]
}
