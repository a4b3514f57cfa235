import Foundation

/// A problem in `runbooks/notifiers.yaml`, said so that the person at the terminal can fix it.
public struct NotifierConfigurationError: UserFacingError, Equatable {
    public var summary: String
    public var location: SourceLocation?
    public var hint: String?
    public var exitStatus: ExitStatus { .usage }

    public init(_ summary: String, at location: SourceLocation? = nil, hint: String? = nil) {
        self.summary = summary
        self.location = location
        self.hint = hint
    }
}
