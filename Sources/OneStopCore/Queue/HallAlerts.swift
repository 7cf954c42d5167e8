/// What the managers' live view of the hall warns of: a group with people waiting and no window
/// open to call them, and a group whose longest wait has passed the center's target.
public enum HallAlert: Equatable, Sendable {
    case noOpenWindow(group: String, waiting: Int)
    case overTarget(group: String, waitedSeconds: Int, targetMinutes: Int)

    /// A group as the live view sees it now.
    public struct Group: Sendable {
        public var prefix: String
        public var waiting: Int
        public var openWindows: Int
        public var longestWaitSeconds: Int

        public init(prefix: String, waiting: Int, openWindows: Int, longestWaitSeconds: Int) {
            self.prefix = prefix
            self.waiting = waiting
            self.openWindows = openWindows
            self.longestWaitSeconds = longestWaitSeconds
        }
    }

    /// The alerts for the groups, no window first (nobody will be called at all), then the
    /// longest waits; none on a day the hall is closed.
    public static func check(_ groups: [Group], targetMinutes: Int, hallOpen: Bool) -> [HallAlert] {
        guard hallOpen else { return [] }
        let none = groups.filter { $0.waiting > 0 && $0.openWindows == 0 }
        let over = groups.filter { $0.waiting > 0 && $0.longestWaitSeconds > targetMinutes * 60 }
            .sorted { $0.longestWaitSeconds > $1.longestWaitSeconds }
        return none.map { .noOpenWindow(group: $0.prefix, waiting: $0.waiting) }
            + over.map { .overTarget(group: $0.prefix, waitedSeconds: $0.longestWaitSeconds, targetMinutes: targetMinutes) }
    }
}
