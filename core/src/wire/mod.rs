//! RFC 8935 / 8936 and SSF management wire types (being written).
