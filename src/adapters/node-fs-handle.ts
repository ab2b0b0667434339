/**
 * FileHandle of the node:fs adapter (fs.promises.open()).
 */
import { DEFAULT_READ_BUFFER, NodeFsCore } from './node-fs-core';
import type {
  FileHandle,
  FileReadResult,
  FileWriteResult,
  ReadFileOptions,
  ReadWriteOptions,
  StatOptions,
  TimeLike,
  WriteData,
  WriteFileOptions,
} from './node-fs-types';
import { ASYNC_DISPOSE, BigIntStats, Stats } from './node-fs-objects';
import { fsError, type Encoding } from './node-fs-support';

// ---------------------------------------------------------------------------------------------
// FileHandle.

export class TracefsFileHandle implements FileHandle {
  #fd: number;

  constructor(
    private readonly core: NodeFsCore,
    fd: number,
  ) {
    this.#fd = fd;
  }

  get fd(): number {
    return this.#fd;
  }

  private op<R>(syscall: string, fn: (fd: number) => R): Promise<R> {
    return Promise.resolve().then(() => {
      if (this.#fd === -1) throw fsError('EBADF', syscall, undefined, undefined, 'file closed');
      return fn(this.#fd);
    });
  }

  read<B extends ArrayBufferView = Uint8Array>(
    bufferOrOptions?: B | (ReadWriteOptions & { readonly buffer?: B }),
    offset?: number,
    length?: number,
    position?: number | bigint | null,
  ): Promise<FileReadResult<B>> {
    return this.op('read', (fd) => {
      let buffer: B;
      let opts: ReadWriteOptions;
      if (bufferOrOptions === undefined || !ArrayBuffer.isView(bufferOrOptions)) {
        const o: ReadWriteOptions & { readonly buffer?: B } = bufferOrOptions ?? {};
        buffer =
          o.buffer ?? (this.core.toBuffer(new Uint8Array(DEFAULT_READ_BUFFER)) as unknown as B);
        opts = o;
      } else {
        buffer = bufferOrOptions;
        opts = {
          ...(offset !== undefined ? { offset } : {}),
          ...(length !== undefined ? { length } : {}),
          position: position ?? null,
        };
      }
      const bytesRead = this.core.readSync(fd, buffer, {
        offset: opts.offset ?? 0,
        length: opts.length ?? buffer.byteLength - (opts.offset ?? 0),
        position: opts.position ?? null,
      });
      return { bytesRead, buffer };
    });
  }

  write<B extends ArrayBufferView>(
    buffer: B,
    offset?: number | null,
    length?: number | null,
    position?: number | null,
  ): Promise<FileWriteResult<B>>;
  write(
    data: string,
    position?: number | null,
    encoding?: Encoding,
  ): Promise<FileWriteResult<string>>;
  write(
    data: ArrayBufferView | string,
    a?: number | null | string,
    b?: number | null | string,
    c?: number | null,
  ): Promise<FileWriteResult<ArrayBufferView | string>> {
    return this.op('write', (fd) => ({
      bytesWritten: this.core.writeSync(fd, data, a, b, c),
      buffer: data,
    }));
  }

  readFile(options?: ReadFileOptions | Encoding | null): Promise<Uint8Array | string> {
    return this.op('read', (fd) => this.core.readFileSync(fd, options));
  }

  writeFile(data: WriteData, options?: WriteFileOptions | Encoding | null): Promise<void> {
    return this.op('write', (fd) => {
      this.core.writeFileSync(fd, data, options);
    });
  }

  appendFile(data: WriteData, options?: WriteFileOptions | Encoding | null): Promise<void> {
    return this.writeFile(data, options);
  }

  stat(options?: StatOptions): Promise<Stats | BigIntStats> {
    return this.op('fstat', (fd) => this.core.fstatSync(fd, options));
  }

  truncate(len?: number): Promise<void> {
    return this.op('ftruncate', (fd) => {
      this.core.ftruncateSync(fd, len);
    });
  }

  chmod(mode: number | string): Promise<void> {
    return this.op('fchmod', (fd) => {
      this.core.fchmodSync(fd, mode);
    });
  }

  chown(uid: number, gid: number): Promise<void> {
    return this.op('fchown', (fd) => {
      this.core.fchownSync(fd, uid, gid);
    });
  }

  utimes(atime: TimeLike, mtime: TimeLike): Promise<void> {
    return this.op('futime', (fd) => {
      this.core.futimesSync(fd, atime, mtime);
    });
  }

  close(): Promise<void> {
    return Promise.resolve().then(() => {
      if (this.#fd === -1) return;
      const fd = this.#fd;
      this.#fd = -1;
      this.core.closeSync(fd);
    });
  }

  [ASYNC_DISPOSE](): Promise<void> {
    return this.close();
  }
}
