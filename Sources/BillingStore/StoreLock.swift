import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The exclusive lock one writing billingd holds on its store for the life of the process: an
/// advisory `flock` on `<database>.lock`, which also names the holder's process id. The kernel drops
/// it when the process ends, however it ends, so a killed billingd never leaves a stale lock.
final class StoreLock: Sendable {
    private let descriptor: Int32
    /// The lock file's path.
    let path: String

    /// Takes the lock, creating the lock file (0600) when needed.
    ///
    /// - Throws: `StoreError.locked` when another process holds it, `StoreError.cannotOpen` when the
    ///   lock file cannot be created or opened.
    init(databasePath: String) throws {
        path = databasePath + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError.cannotOpen(path: databasePath, reason: "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            var buffer = [UInt8](repeating: 0, count: 64)
            let count = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            if code == EWOULDBLOCK {
                let holder = count > 0 ? String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "unknown"
                throw StoreError.locked(path: databasePath, holder: holder)
            }
            throw StoreError.cannotOpen(path: databasePath, reason: "cannot lock \(path): \(String(cString: strerror(code)))")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
        descriptor = fd
    }

    deinit {
        // Closing the descriptor releases the lock; the file stays (removing it could race a new holder).
        close(descriptor)
    }
}
