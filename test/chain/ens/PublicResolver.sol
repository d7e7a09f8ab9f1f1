// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import "./ENSRegistry.sol";

/// A resolver with the profiles a primary name needs: addr(bytes32) (EIP-137), name(bytes32)
/// (EIP-181, on reverse nodes) and text(bytes32,string) (EIP-634). Records of a node are set by its
/// owner in the registry.
contract PublicResolver {
    ENSRegistry public immutable ens;
    mapping(bytes32 => address) private addresses;
    mapping(bytes32 => string) private names;
    mapping(bytes32 => mapping(string => string)) private texts;

    constructor(ENSRegistry registry) {
        ens = registry;
    }

    modifier authorised(bytes32 node) {
        require(ens.owner(node) == msg.sender, "not the node's owner");
        _;
    }

    function supportsInterface(bytes4 id) external pure returns (bool) {
        return id == 0x01ffc9a7 || id == 0x3b3b57de || id == 0x691f3431 || id == 0x59d1d43c;
    }

    function setAddr(bytes32 node, address value) external authorised(node) {
        addresses[node] = value;
    }

    function addr(bytes32 node) external view returns (address) {
        return addresses[node];
    }

    function setName(bytes32 node, string calldata value) external authorised(node) {
        names[node] = value;
    }

    function name(bytes32 node) external view returns (string memory) {
        return names[node];
    }

    function setText(bytes32 node, string calldata key, string calldata value) external authorised(node) {
        texts[node][key] = value;
    }

    function text(bytes32 node, string calldata key) external view returns (string memory) {
        return texts[node][key];
    }
}
