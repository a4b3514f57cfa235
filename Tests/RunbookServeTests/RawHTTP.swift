import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain TCP connection to the service on loopback, for requests written byte by byte: what a well-behaved
/// client sends, and what a slow or hostile one sends (headers that never end, a path with `..`).
final class RawHTTP {
    let descriptor: Int32

    /// Connects to 127.0.0.1:`port`; every read gives up after `timeout` seconds.
    init(port: Int, timeout: TimeInterval = 15) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure("socket: \(errno)") }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw Failure("connect to port \(port): \(errno)")
        }
    }

    deinit { close(descriptor) }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Writes `data` (a closed peer is not an error here: the reply, or its absence, says what happened).
    func send(_ data: Data) {
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.send(
                    descriptor, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// Whether the peer closed the connection, waiting at most `seconds` for it to.
    func peerClosed(within seconds: TimeInterval) -> Bool {
        var descriptorPoll = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptorPoll, 1, Int32(seconds * 1000)) > 0 else { return false }
        var byte: UInt8 = 0
        return recv(descriptor, &byte, 1, Int32(MSG_PEEK)) <= 0
    }

    /// Reads until the peer closes; throws when the read timed out first.
    func readToEnd() throws -> Data {
        var result = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { return result }
            if count < 0 {
                if errno == ECONNRESET { return result }
                throw Failure("read timed out or failed (errno \(errno)) after \(result.count) bytes")
            }
            result.append(contentsOf: buffer[0..<count])
        }
    }

    /// One request with `Connection: close`; the status and the body.
    static func request(
        port: Int, _ method: String, _ path: String, headers: [String: String] = [:], body: Data = Data()
    ) throws -> (status: Int, body: String) {
        let connection = try RawHTTP(port: port)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        connection.send(Data(head.utf8) + body)
        return parse(try connection.readToEnd())
    }

    /// The status and body of a whole response.
    static func parse(_ data: Data) -> (status: Int, body: String) {
        let text = String(decoding: data, as: UTF8.self)
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, body)
    }
}

extension RawHTTP {
    /// A free loopback port (bound, then let go).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw RawHTTP.Failure("no free port: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
