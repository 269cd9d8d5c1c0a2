#if canImport(Glibc)
    import Glibc
#endif

/// Turns Nagle's algorithm off on the mock brokers' listening sockets.
///
/// librdkafka's mock broker answers pipelined requests (a producer sends one ProduceRequest per
/// partition) with one `sendmsg` each, on sockets that keep Nagle on. The second small answer then
/// waits for the client's delayed ACK: every produce round of more than a couple of partitions took
/// ~44 ms (measured with our producer and with kcat). Real brokers set `TCP_NODELAY`. On Linux an
/// accepted socket inherits `TCP_NODELAY` from its listener, so setting it on the listeners before any
/// client connects fixes every later connection.
///
/// The listeners are found among this process's descriptors: listening TCP sockets bound to one of the
/// cluster's ports. Returns how many were changed.
@discardableResult
func disableNagleOnListeners(bootstrapServers: String) -> Int {
    let ports = Set(bootstrapServers.split(separator: ",").compactMap { address in
        address.split(separator: ":").last.flatMap { UInt16($0) }
    })
    #if canImport(Glibc)
        var changed = 0
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var descriptors: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let fd = Int32(name) { descriptors.append(fd) }
        }
        for fd in descriptors {
            var listening: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0, listening == 1 else { continue }
            var address = sockaddr_in()
            var addressLength = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &addressLength) }
            }
            guard named == 0, address.sin_family == sa_family_t(AF_INET), ports.contains(UInt16(bigEndian: address.sin_port)) else { continue }
            var on: Int32 = 1
            if setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size)) == 0 { changed += 1 }
        }
        return changed
    #else
        return 0
    #endif
}
