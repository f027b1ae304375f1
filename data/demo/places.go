package demo

// Place names for districts and schools. A county district is "<county>
// County", a city district "<city> Independent"; the generator draws its
// districts from these lists, so each seed has its own map.

var countyNames = list(`
Adair, Allen, Anderson, Ballard, Barren, Bath, Bell, Boone, Bourbon, Boyd,
Boyle, Bracken, Breathitt, Breckinridge, Bullitt, Butler, Caldwell, Calloway, Campbell, Carlisle,
Carroll, Carter, Casey, Christian, Clark, Clay, Clinton, Crittenden, Cumberland, Daviess,
Edmonson, Elliott, Estill, Fayette, Fleming, Floyd, Franklin, Fulton, Gallatin, Garrard,
Grant, Graves, Grayson, Green, Greenup, Hancock, Hardin, Harlan, Harrison, Hart,
Henderson, Henry, Hickman, Hopkins, Jackson, Jefferson, Jessamine, Johnson, Kenton, Knott,
Knox, Larue, Laurel, Lawrence, Lee, Leslie, Letcher, Lewis, Lincoln, Livingston,
Logan, Lyon, Madison, Magoffin, Marion, Marshall, Martin, Mason, McCracken, McCreary,
McLean, Meade, Menifee, Mercer, Metcalfe, Monroe, Montgomery, Morgan, Muhlenberg, Nelson,
Nicholas, Ohio, Oldham, Owen, Owsley, Pendleton, Perry, Pike, Powell, Pulaski,
Robertson, Rockcastle, Rowan, Russell, Scott, Shelby, Simpson, Spencer, Taylor, Todd,
Trigg, Trimble, Union, Warren, Washington, Wayne, Webster, Whitley, Wolfe, Woodford,
Audrain, Benton, Blount, Cherokee, Coffee, DeKalb, Fentress, Giles, Greene, Hamilton,
Hawkins, Hickory, Jasper, Lafayette, Macon, Maury, Newton, Overton, Pickett, Polk,
Putnam, Randolph, Sevier, Sullivan, Sumner, Tipton, Wilson, Claiborne, Cocke, Van Buren,
St. Clair, Grundy, Hardeman, Lauderdale, Rhea, Unicoi, Bledsoe, Stewart, Dyer, Obion`)

var cityNames = list(`
Anchorage, Ashland, Augusta, Barbourville, Bardstown, Beechwood, Bellevue, Berea, Bowling Green, Burgin,
Campbellsville, Caverna, Corbin, Covington, Danville, Dawson Springs, Dayton, East Bernstadt, Elizabethtown, Eminence,
Erlanger-Elsmere, Fairview, Fort Thomas, Frankfort, Glasgow, Harlan, Hazard, Jackson, Jenkins, Ludlow,
Mayfield, Middlesboro, Monticello, Murray, Newport, Owensboro, Paducah, Paris, Pikeville, Providence,
Raceland-Worthington, Russellville, Science Hill, Silver Grove, Somerset, Southgate, Walton-Verona, Williamsburg, Williamstown, Ashford,
Brookfield, Clearwater, Fairfield, Georgetown, Greenville, Hopewell, Lakeside, Milford, Mount Vernon, Oak Grove,
Pleasant Ridge, Riverton, Salem, Springfield, Summit, Union City, Westport, Winchester, Cedar Bluff, Pine Hill,
Elk Creek, Fox Run, Harrodsburg, Irvine, La Grange, Lebanon, Morehead, Nicholasville, Richmond, Shelbyville,
Versailles, Whitesburg, Prestonsburg, Paintsville, Hodgenville, Leitchfield, Madisonville, Hopkinsville, Princeton, Marion City`)

// Words that elementary, middle and high schools are named after.
var schoolWords = list(`
Adams, Alton, Audubon, Beechwood, Bluegrass, Brookview, Cedar Ridge, Central, Chenoweth, Clay,
Creekside, Crestwood, Dixie, Eastside, Fairdale, Fern Creek, Glen Oak, Greenwood, Hawthorne, Highland,
Hillcrest, Indian Hills, Jacob, Kennedy, Lakeside, Lincoln, Locust Grove, Maple, Meadowview, Mill Creek,
Northside, Oak Park, Parkway, Pine Knot, Pleasant View, Red Bird, Ridgeway, River Ridge, Rosa Parks, Sandy Hook,
Shady Grove, Southside, Spring Valley, Sunrise, Twin Lakes, Valley, Walnut Hill, Westside, Willow Creek, Woodland,
Martin Luther King Jr., Cane Run, Wheeler, Whitney Young, Atkinson, Bates, Blake, Bloom, Byck, Camp Taylor,
Carter, Cochran, Coleridge-Taylor, Dunn, Engelhard, Foster, Gilmore Lane, Goldsmith, Gutermuth, Hazelwood,
Hite, Jeffersontown, Kenwood, Klondike, Laukhuf, Lowe, Luhr, Maupin, Middletown, Norton,
Okolona, Price, Rutherford, Sanders, Semple, Smyrna, Stopher, Trunnell, Watson Lane, Wellington,
Wilder, Wilt, Zachary Taylor, Anchorage Trail, Ballard, Barret, Brown, Conway, Crosby, Farnsley,
Frost, Iroquois, Kammerer, Knight, Lassiter, Meyzeek, Newburg, Noe, Olmsted, Ramsey,
Thomas Jefferson, Westport, Academy Hill, Boone Trail, Cardinal Valley, Clays Mill, Deep Springs, Dixie Magnet, Garden Springs, Harrison,
Liberty, Mary Todd, Millcreek, Northern, Picadome, Rosa Mae, Russell Cave, Southern, Squires, Stonewall,
Tates Creek, Veterans Park, Wellington Park, Yates, Arlington, Beaumont, Bryan Station, Crawford, Edythe Hayes, Leestown,
Lexington Traditional, Morton, Paul Dunbar, Sayre, Winburn, Briar Hill, Cassidy, Coventry Oak, Dogwood Hollow, Eagle Creek,
Falcon Ridge, Hickory Point, Ironwood, Juniper Gap, Kestrel Heights, Laurel Fork, Magnolia, Nettle Creek, Orchard Knob, Pawpaw Ridge,
Quail Run, Redbud, Sycamore, Tulip Grove, Upper Fork, Vine Street, Whippoorwill, Yellow Creek, Zion Hill, Stony Point`)

// Names of non-public schools by kind: Catholic (M1), Christian (M2),
// other religious (R1) and independent (J1).
var catholicSchools = list(`St. Agnes, St. Mary, St. Joseph, Holy Trinity, Our Lady of Lourdes, St. Patrick, Sacred Heart, St. Francis of Assisi, Mary Queen of Peace, St. Rita, Holy Family, St. Raphael`)
var christianSchools = list(`Grace Christian Academy, Calvary Christian School, Heritage Christian Academy, Cornerstone Christian School, Faith Baptist Academy, Covenant Christian School, Victory Christian Academy, Bethel Christian School`)
var religiousSchools = list(`Beth Shalom Day School, Al-Noor Academy, Ridgeview Mennonite School, Trinity Lutheran School, Adventist Junior Academy, Friends Meeting School`)
var independentSchools = list(`Montessori School of the Bluegrass, Sayre Prep, Walden Academy, Highlands Latin School, Lakeview Country Day School, Oakridge Academy, Summit Hill School, Riverbend Prep`)
