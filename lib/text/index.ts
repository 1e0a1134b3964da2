/** Language models of text: tokens, the model, its training (resumable) and sampling. */
export { TEXT_LEVELS, buildCorpus, buildVocabulary, detokenize, encode, tokenize, type Corpus, type TextLevel } from './corpus';
export { LanguageModel, type LanguageModelConfig } from './language-model';
export { sampleTokens, type SampleOptions, type TokenModel } from './sample-text';
export { loadTextModel, type EpochRecord, type TextRunState } from './text-checkpoint';
export { trainTextModel, type TextTrainingOptions, type TextTrainingResult } from './train-text';
