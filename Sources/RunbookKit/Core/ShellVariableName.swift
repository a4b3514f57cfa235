/// What a shell variable name is: a letter or `_`, then letters, digits or `_`. The one check, used by the parser
/// (`VariableReferences.isValidName`) and by the runner before a name is written into a shell prelude.
enum ShellVariableName {
    static func isValid(_ name: some StringProtocol) -> Bool {
        guard let first = name.utf8.first, isStart(first) else { return false }
        return name.utf8.allSatisfy(isByte)
    }

    static func isStart(_ byte: UInt8) -> Bool {
        (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 95
    }

    static func isByte(_ byte: UInt8) -> Bool {
        isStart(byte) || (byte >= 48 && byte <= 57)
    }
}
