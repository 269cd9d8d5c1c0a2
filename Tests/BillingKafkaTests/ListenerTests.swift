import BillingKafka
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("The embedded broker's sockets")
struct ListenerTests {
    /// Listening TCP sockets of this process bound to `port`, with their TCP_NODELAY flag.
    func listeners(port: UInt16) -> [Bool] {
        var found: [Bool] = []
        for fd in Int32(0)..<Int32(4096) {
            var listening: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0, listening == 1 else { continue }
            var address = sockaddr_in()
            var addressLength = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &addressLength) }
            }
            guard named == 0, UInt16(bigEndian: address.sin_port) == port else { continue }
            var noDelay: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, &size) == 0 else { continue }
            found.append(noDelay != 0)
        }
        return found
    }

    @Test("every broker listens with Nagle off, so pipelined answers are not held for a delayed ACK", arguments: [1, 3])
    func noDelay(brokers: Int) throws {
        let cluster = try EmbeddedKafkaCluster(brokerCount: brokers, topics: ["t": 3])
        defer { cluster.shutdown() }
        #expect(cluster.listenersWithoutNagle == brokers)
        let ports = cluster.bootstrapServers.split(separator: ",").compactMap { $0.split(separator: ":").last.flatMap { UInt16($0) } }
        #expect(ports.count == brokers)
        for port in ports {
            #expect(listeners(port: port) == [true], "port \(port)")
        }
    }
}
