import Foundation

extension JSONValue {
    /// Parses JSON text with `JSONSerialization`.
    ///
    /// The `Decodable` path tries each case in turn and is slow on Linux (about 15 ms for a policy snapshot in a
    /// debug build); the scheduler reads snapshots and payloads on every firing, so it uses this instead.
    static func parse(_ text: String) -> JSONValue? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        else { return nil }
        return JSONValue(foundation: object)
    }

    private init(foundation object: Any) {
        switch object {
        case let text as String: self = .string(text)
        case let number as NSNumber:
            if String(cString: number.objCType) == "c" {
                self = .bool(number.boolValue)
            } else if let whole = Int64(exactly: number.doubleValue), !"fd".contains(String(cString: number.objCType)) {
                self = .int(whole)
            } else {
                self = .double(number.doubleValue)
            }
        case let list as [Any]: self = .array(list.map(JSONValue.init(foundation:)))
        case let members as [String: Any]: self = .object(members.mapValues(JSONValue.init(foundation:)))
        default: self = .null
        }
    }
}
