// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import "./ENSRegistry.sol";

interface INameResolver {
    function name(bytes32 node) external view returns (string memory);
}

/// The two functions of the ENS Universal Resolver that viem's getEnsName, getEnsAddress and
/// getEnsText call, with their ENSIP-19 / ENSIP-10 shapes, over a registry without wildcards or
/// off-chain names (the gateways argument is accepted and unused):
/// - reverseWithGateways(bytes address, uint256 coinType, string[]) returns the name in the
///   address's reverse record under addr.reverse (EIP-181). Unlike the deployed resolver it does
///   not check that the name resolves back, so the caller's own forward check is what is tested.
/// - resolveWithGateways(bytes dnsName, bytes call, string[]) calls the name's resolver with the
///   encoded call and returns its answer and the resolver; empty bytes when the name has none.
contract UniversalResolver {
    ENSRegistry public immutable registry;
    bytes32 private constant ADDR_REVERSE = keccak256(abi.encodePacked(keccak256(abi.encodePacked(bytes32(0), keccak256("reverse"))), keccak256("addr")));

    constructor(ENSRegistry ens) {
        registry = ens;
    }

    function reverseWithGateways(bytes calldata lookupAddress, uint256 coinType, string[] calldata)
        external
        view
        returns (string memory, address, address)
    {
        require(coinType == 60 && lookupAddress.length == 20, "only Ethereum addresses");
        bytes32 node = keccak256(abi.encodePacked(ADDR_REVERSE, keccak256(hexLabel(lookupAddress))));
        address reverseResolver = registry.resolver(node);
        if (reverseResolver == address(0)) return ("", address(0), address(0));
        string memory primary = INameResolver(reverseResolver).name(node);
        address resolver = bytes(primary).length == 0 ? address(0) : registry.resolver(namehash(dnsEncode(primary), 0));
        return (primary, resolver, reverseResolver);
    }

    function resolveWithGateways(bytes calldata name, bytes calldata data, string[] calldata)
        external
        view
        returns (bytes memory, address)
    {
        address resolver = registry.resolver(namehash(name, 0));
        if (resolver == address(0)) return ("", address(0));
        (bool ok, bytes memory result) = resolver.staticcall(data);
        require(ok, "resolver call failed");
        return (result, resolver);
    }

    /// The namehash of a DNS-encoded name from `offset` (EIP-137).
    function namehash(bytes memory name, uint256 offset) internal pure returns (bytes32) {
        uint256 length = uint8(name[offset]);
        if (length == 0) return bytes32(0);
        bytes memory label = new bytes(length);
        for (uint256 i = 0; i < length; i++) label[i] = name[offset + 1 + i];
        return keccak256(abi.encodePacked(namehash(name, offset + 1 + length), keccak256(label)));
    }

    /// A dotted name as DNS wire format (length-prefixed labels, then a zero byte).
    function dnsEncode(string memory dotted) internal pure returns (bytes memory) {
        bytes memory s = bytes(dotted);
        bytes memory out = new bytes(s.length + 2);
        uint256 start = 0;
        for (uint256 i = 0; i <= s.length; i++) {
            if (i == s.length || s[i] == ".") {
                out[start] = bytes1(uint8(i - start));
                for (uint256 j = start; j < i; j++) out[j + 1] = s[j];
                start = i + 1;
            }
        }
        out[s.length + 1] = 0;
        return out;
    }

    /// An address's reverse label: its 40 lowercase hex digits.
    function hexLabel(bytes calldata account) internal pure returns (bytes memory) {
        bytes memory digits = "0123456789abcdef";
        bytes memory out = new bytes(40);
        for (uint256 i = 0; i < 20; i++) {
            out[2 * i] = digits[uint8(account[i]) >> 4];
            out[2 * i + 1] = digits[uint8(account[i]) & 0x0f];
        }
        return out;
    }
}
