// Public surface of the selection suite.
export { getSelectorFactory, selectorTypes, type SelectorDeps, type SelectorFactory } from './registry.js';
export { SelectionError, type SelectionErrorCode } from './errors.js';
export { trainSelectorModel, type LabelledEmbedding, type TrainOptions } from './training.js';
export { parseTrainingJsonl, type LabelledText } from './training-data.js';
export { loadModelFile, parseModelFile, TRAINED_ALGORITHMS, type SelectorModelFile, type TrainedAlgorithm } from './model-file.js';
export { seededRng, sampleBeta, sampleGamma } from './random.js';
export * as selectionStateKeys from './keys.js';
