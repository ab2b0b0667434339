/**
 * tracefs-sim: an in-memory model of Linux tracefs/eventfs (dentry cache, inodes, refcounted
 * eventfs inodes, the tracing control files) faithful enough to reproduce the 2024 eventfs bugs.
 *
 * @packageDocumentation
 */
export { mount, TracefsMount } from './facade';
export type { Counters, EventfsDir, KernelApi, MountConfig, OpenFile, Tracefs } from './facade';
export type { MountOptions } from './tracefs/super';
export { TRACEFS_DEFAULT_MODE } from './tracefs/super';

export { FsError, KernelBugError, ERRNO, isErrnoCode } from './vfs/errors';
export type { ErrnoCode, Violation, ViolationKind } from './vfs/errors';
export type { Cred, DirEntry, Stat, FileOperations, Ctx } from './vfs/types';
export { ROOT_CRED } from './vfs/types';
export type { FlagString } from './vfs/file';
export { FaultInjector } from './vfs/faults';
export type { AllocSite, FaultPolicy } from './vfs/faults';
export { simpleFileOps, controlFops } from './vfs/control-file';
export type { SimpleFileSpec, ControlSpec } from './vfs/control-file';

export { EVENTFS_FILE_INODE_INO } from './eventfs/eventfs-inode';
export type { EventfsEntry, EventfsFileSpec } from './eventfs/eventfs-inode';
export { variants, isVariantName } from './eventfs/variants/index';
export type { VariantName } from './eventfs/variants/index';

export {
  createCatalog,
  defaultCatalog,
  defaultFieldsFor,
  renderFormat,
  COMMON_FIELDS,
  DEFAULT_FIRST_EVENT_ID,
} from './trace/catalog';
export type {
  EventCatalog,
  EventDef,
  EventField,
  SystemDef,
  SystemSpec,
  EventSpec,
} from './trace/catalog';

export { explore, replay, shrinkFailure, encodeSchedule, decodeSchedule } from './sim/explore';
export type { ExploreConfig, ExploreResult, Failure, ReplayResult, Strategy } from './sim/explore';
export { SIM_CATALOG } from './sim/machine';
export type { SimConfig, TraceStep, InvariantMode } from './sim/machine';
export type { Op, OpName, OpResult } from './sim/ops';
export { scenarios, scenarioNames } from './sim/scenarios';
export type { Scenario } from './sim/scenarios';
export { formatFailure, formatTimeline, formatViolation } from './sim/report';
export { VARIANT_DESCRIPTIONS } from './eventfs/variants/index';

// Advanced: the generator-level kernel API, for simulators that schedule operations themselves.
export { Machine } from './sim/machine';
export { runOp, describeOp } from './sim/ops';
export { Task, Mutex, RwSem, runSync, step, isOops, withCleanup } from './vfs/sched';
export type { KOp, Yield, Lock } from './vfs/sched';
export {
  sysStat,
  sysOpen,
  sysRead,
  sysWrite,
  sysClose,
  sysReaddir,
  sysMkdir,
  sysRmdir,
  sysChmod,
  sysChown,
  StatResult,
} from './vfs/syscalls';
export { parseFlags } from './vfs/file';
export type { File, OpenFlags } from './vfs/file';
export { replayWithSnapshots, renderTimelineHtml, classifyStep } from './sim/html';
export { STEP_KINDS, KIND_COLORS, SNAPSHOT_DENTRIES } from './sim/html';
export type { SnapshotReplay, StepSnapshot, StepKind, TimelineInput } from './sim/html';
export type { LockState, CpuState, DentryState } from './sim/html';
export { renderTimelineSvg } from './sim/svg';

// node:fs-shaped adapter (src/adapters/node-fs.ts).
export {
  createFs,
  Stats,
  BigIntStats,
  Dirent,
  Dir,
  constants as fsConstants,
} from './adapters/node-fs';
export type {
  CreateFsOptions,
  TracefsNodeFs,
  TracefsFsPromises,
  FileHandle,
  StatOptions,
  ReaddirOptions,
  ReadFileOptions,
  WriteFileOptions,
  MkdirOptions,
  RmOptions,
  ReadWriteOptions,
  FileReadResult,
  FileWriteResult,
  FsCallback,
  TimeLike,
  WriteData,
  PathArg,
  FileUrlLike,
  Encoding,
  OpenFlagsArg,
  FsConstants,
  FsErrorWithDest,
  RealpathSync,
  RealpathCallback,
} from './adapters/node-fs';
export type { ReadFileResult, ReaddirResult } from './adapters/node-fs';
