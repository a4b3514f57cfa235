import Foundation
import RunbookPostgres

/// What the command line prints when the PostgreSQL store loses its server and gets it back: a session blocks in
/// the write meanwhile, and the responder sees why.
enum StoreReachabilityReport {
    /// Prints "store unreachable, retrying" (with the reason) and "store reachable again" to standard error.
    @Sendable static func print(_ state: PostgresTranscriptStore.StoreReachability) {
        switch state {
        case .unreachable(let reason):
            FileHandle.standardError.write(
                Data(
                    "store unreachable, retrying (\(reason)); nothing runs until the last event is recorded\n".utf8))
        case .reachable:
            FileHandle.standardError.write(Data("store reachable again\n".utf8))
        }
    }
}
