import FluentPostgresDriver
import FluentSQLiteDriver
import NIOCore
import NIOPosix
import Vapor

/// Errors that say the database cannot be reached or written, not that the request was wrong:
/// PostgreSQL down or restarting, a connection lost, the disk full. They are answered 503 with
/// `Retry-After` (507 for a full disk), never 500, and never after a hang: the connection pools
/// give up on a request after their timeout and open new connections once the database is back.
enum StorageFault: Equatable {
    case unavailable
    case diskFull

    static let retryAfterSeconds = 5

    static func of(_ error: any Error) -> StorageFault? {
        switch error {
        case let e as SQLiteError:
            switch e.reason {
            case .full: return .diskFull
            case .ioError, .cantOpen, .busy: return .unavailable
            case let r where String(describing: r).hasPrefix("ioError"): return .unavailable
            default: return nil
            }
        case let e as LaneSQLiteError:
            return e.storageFault
        case let e as PSQLError:
            switch e.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
                return .unavailable
            case .server:
                // 53100 disk full; 57P01–57P03 the server shutting down, crashed or starting; 08xxx
                // the connection; 53300 too many connections.
                let state = e.serverInfo?[.sqlState] ?? ""
                if state == "53100" { return .diskFull }
                if state.hasPrefix("57P") || state.hasPrefix("08") || state == "53300" { return .unavailable }
                return nil
            default: return nil
            }
        case is ConnectionPoolTimeoutError, is ConnectionPoolError, is NIOConnectionError, is IOError:
            return .unavailable
        case let e as ChannelError:
            return e == .ioOnClosedChannel || e == .alreadyClosed || e == .eof ? .unavailable : nil
        default:
            return nil
        }
    }
}
