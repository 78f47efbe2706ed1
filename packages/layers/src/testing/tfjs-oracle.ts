/** Test helpers for comparing with TensorFlow.js (tfjs-layers 4.22, a test-only oracle). */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelArtifacts } from '../saving/artifacts';

/** What tfjs writes when it saves `model` (model.json topology, weight specs and data), captured in memory. */
export async function tfjsSave(model: tfl.LayersModel): Promise<ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    captured = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return captured as unknown as ModelArtifacts;
}
