/**
 * `BackupAndRestore` (Keras 3): fault tolerance for long training. Every epoch (or every `saveFreq` batches)
 * it backs up the model's weights, the optimizer state, the layers' seed generators and where training is
 * (epoch, batch), in one atomic write. When the same `fit` call runs again after a crash (even SIGKILL), it
 * restores the backup in `onTrainBegin` and `fit` continues from there: the batches, dropout masks and
 * updates are those of an uninterrupted run, so the final weights are bit-identical. When training ends
 * normally the backup is deleted (`deleteCheckpoint`).
 *
 * Node only (the backup is a directory in TensorFlow.js' layers format plus the progress in its metadata).
 *
 * Divergence from Keras: a run resumed mid-epoch (numeric `saveFreq`) logs that epoch's averages over the
 * batches after the restore only; weights, optimizer and randomness are exact.
 */
import { Callback } from './callback';
import type { CallbackModel, Logs } from './callback';
import type { ModelArtifacts } from '../saving/artifacts';

export interface BackupAndRestoreOptions {
  /** 'epoch' (default) or back up every this many batches. */
  saveFreq?: 'epoch' | number;
  /** Delete the backup when training ends normally. Default true. */
  deleteCheckpoint?: boolean;
}

/** What the callback needs of the model (a minikeras Model). */
interface BackupModel extends CallbackModel {
  readonly label: string;
  toArtifacts(options?: { includeOptimizer?: boolean }): ModelArtifacts;
  restoreTrainingState(artifacts: ModelArtifacts, file: string): void;
  resumeFrom?: { epoch: number; step: number; epochStartIterations: number } | null;
  readonly optimizer: { learningRate: number; iterations: number };
}

interface Progress { epoch: number; step: number; epochStartIterations: number }

export class BackupAndRestore extends Callback<never> {
  readonly backupDir: string;
  readonly saveFreq: 'epoch' | number;
  readonly deleteCheckpoint: boolean;
  private epoch = 0;
  private epochStartIterations = 0;
  private stepsInEpoch: number | null = null;
  /** Batches since the last backup, counted across epochs as Keras counts `save_freq`. */
  private sinceBackup = 0;

  constructor(backupDir: string, options: BackupAndRestoreOptions = {}) {
    super();
    if (typeof backupDir !== 'string' || backupDir === '') throw new Error(`BackupAndRestore: backupDir must be a directory path, got ${JSON.stringify(backupDir)}`);
    for (const key of Object.keys(options)) {
      if (key !== 'saveFreq' && key !== 'deleteCheckpoint') throw new Error(`BackupAndRestore: unknown option '${key}'; valid options are saveFreq, deleteCheckpoint`);
    }
    const freq = options.saveFreq ?? 'epoch';
    if (freq !== 'epoch' && !(typeof freq === 'number' && Number.isInteger(freq) && freq >= 1)) {
      throw new Error(`BackupAndRestore: saveFreq must be 'epoch' or a positive integer number of batches, got ${JSON.stringify(freq)}`);
    }
    this.backupDir = backupDir;
    this.saveFreq = freq;
    this.deleteCheckpoint = options.deleteCheckpoint ?? true;
  }

  private get backupModel(): BackupModel {
    const m = this.model as BackupModel | null;
    if (!m || typeof m.toArtifacts !== 'function' || typeof m.restoreTrainingState !== 'function') {
      throw new Error('BackupAndRestore: needs a minikeras Model (it saves and restores the model\'s state)');
    }
    return m;
  }

  override async onTrainBegin(_logs: Logs): Promise<void> {
    const io = await import('../saving/io-node');
    const model = this.backupModel;
    this.stepsInEpoch = this.params?.steps ?? null;
    if (!(await io.directoryHasModel(this.backupDir))) return;
    const { artifacts, source } = await io.loadFromDirectory(this.backupDir);
    const progress = (artifacts.userDefinedMetadata?.minikeras as { backup?: Progress } | undefined)?.backup;
    if (!progress || ![progress.epoch, progress.step, progress.epochStartIterations].every((v) => Number.isInteger(v) && v >= 0)) {
      throw new Error(`BackupAndRestore: ${source.file} is not a backup this callback wrote (no progress record); delete it or choose another backupDir`);
    }
    model.restoreTrainingState(artifacts, source.file);
    model.resumeFrom = { ...progress };
  }

  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.epochStartIterations = this.backupModel.optimizer.iterations;
  }

  override async onBatchEnd(batch: number): Promise<void> {
    if (this.saveFreq === 'epoch' || ++this.sinceBackup < this.saveFreq) return;
    this.sinceBackup = 0;
    // After an epoch's last batch, the backup is the start of the next epoch.
    if (this.stepsInEpoch !== null && batch + 1 >= this.stepsInEpoch) {
      await this.backup({ epoch: this.epoch + 1, step: 0, epochStartIterations: this.backupModel.optimizer.iterations });
    } else {
      await this.backup({ epoch: this.epoch, step: batch + 1, epochStartIterations: this.epochStartIterations });
    }
  }

  override async onEpochEnd(epoch: number): Promise<void> {
    if (this.saveFreq !== 'epoch') return;
    await this.backup({ epoch: epoch + 1, step: 0, epochStartIterations: this.backupModel.optimizer.iterations });
  }

  override async onTrainEnd(): Promise<void> {
    if (!this.deleteCheckpoint) return;
    const io = await import('../saving/io-node');
    await io.removeDirectory(this.backupDir);
  }

  private async backup(progress: Progress): Promise<void> {
    const io = await import('../saving/io-node');
    const artifacts = this.backupModel.toArtifacts({ includeOptimizer: true });
    const metadata = { ...(artifacts.userDefinedMetadata ?? {}) } as Record<string, unknown>;
    metadata.minikeras = { ...((metadata.minikeras as object | undefined) ?? {}), backup: progress };
    artifacts.userDefinedMetadata = metadata;
    await io.saveToDirectory(artifacts, this.backupDir);
  }
}
