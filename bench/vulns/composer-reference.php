<?php
// The order of Composer versions, as Composer itself decides it: each version normalized by
// composer/semver's VersionParser, then compared with Comparator (PHP's version_compare on the
// normalized forms). Reads one version a line on standard input; writes, for every pair that
// both normalize (branches such as dev-main left out), "a<TAB>b<TAB>-1|0|1".
//
// Usage (Debian: apt-get install php-cli php-composer-semver):
//   php bench/vulns/composer-reference.php < versions.txt > composer-order.tsv
require '/usr/share/php/Composer/Semver/autoload.php';

use Composer\Semver\Comparator;
use Composer\Semver\VersionParser;

$parser = new VersionParser();
$versions = [];
foreach (file('php://stdin', FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
    $text = trim($line);
    try {
        $normal = $parser->normalize($text);
    } catch (UnexpectedValueException $e) {
        fwrite(STDERR, "not a version: $text\n");
        continue;
    }
    if (str_starts_with($normal, 'dev-')) {
        continue;
    }
    $versions[$text] = $normal;
}
foreach ($versions as $a => $na) {
    foreach ($versions as $b => $nb) {
        if (strcmp($a, $b) >= 0) {
            continue;
        }
        $order = Comparator::lessThan($na, $nb) ? -1 : (Comparator::equalTo($na, $nb) ? 0 : 1);
        echo "$a\t$b\t$order\n";
    }
}
